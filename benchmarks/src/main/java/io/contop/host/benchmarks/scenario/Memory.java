package io.contop.host.benchmarks.scenario;

import io.contop.host.benchmarks.Samples;
import io.contop.host.benchmarks.daemon.BenchDaemon;
import io.contop.host.benchmarks.daemon.JavaHeap;
import io.contop.host.benchmarks.daemon.ProcessStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Resident memory readings of a daemon, taken a few times in a row to smooth out the heap's own swings. */
final class Memory {
    private static final Duration BETWEEN_READINGS = Duration.ofMillis(500);

    private Memory() {
    }

    /** Waits {@code settle}, then returns the median of {@code count} {@code VmRSS} readings 0.5 s apart, in KiB. */
    static double settledRssKiB(BenchDaemon daemon, Duration settle, int count) throws InterruptedException {
        Thread.sleep(settle.toMillis());
        List<Double> readings = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                Thread.sleep(BETWEEN_READINGS.toMillis());
            }
            readings.add((double) ProcessStats.read(daemon.pid()).rssKiB());
        }
        return Samples.of(readings).median();
    }

    /** A reading after a full collection: resident memory and the Java heap still in use, in KiB. */
    record AfterGc(double rssKiB, double heapKiB) {
    }

    /**
     * Waits {@code settle}, runs a full collection in the daemon, and returns the heap still in use
     * and the median of {@code count} {@code VmRSS} readings taken after it.
     */
    static AfterGc afterFullGc(BenchDaemon daemon, Duration settle, int count) throws InterruptedException {
        Thread.sleep(settle.toMillis());
        long heapKiB = JavaHeap.usedAfterFullGcKiB(daemon.pid());
        return new AfterGc(settledRssKiB(daemon, BETWEEN_READINGS, count), heapKiB);
    }

    static String mebibytes(double kib) {
        return String.format(Locale.ROOT, "%.1f MiB", kib / 1024);
    }
}
