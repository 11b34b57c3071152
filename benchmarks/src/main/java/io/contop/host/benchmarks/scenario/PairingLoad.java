package io.contop.host.benchmarks.scenario;

import io.contop.host.benchmarks.Samples;
import io.contop.host.benchmarks.daemon.BenchDaemon;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Times {@code POST /api/pair} for new permanent devices, one request at a time, from 127.0.0.1. */
final class PairingLoad {
    private PairingLoad() {
    }

    /**
     * Pairs {@code warmup + samples} new devices named {@code prefix-N}. Each pairing is timed from
     * sending the request to the last byte of the PNG, then revoked (not timed) so that the store
     * stays at its starting size, and followed by {@code pause}.
     *
     * @return the latencies of the last {@code samples} pairings, in milliseconds
     */
    static Samples measure(BenchDaemon daemon, String prefix, int warmup, int samples, Duration pause)
            throws InterruptedException {
        List<Double> latencies = new ArrayList<>();
        for (int i = 0; i < warmup + samples; i++) {
            String device = prefix + "-" + i;
            double millis = pairOnce(daemon, device);
            if (i >= warmup) {
                latencies.add(millis);
            }
            BenchDaemon.requireStatus(daemon.delete("/api/pair?device_id=" + device), 200, "DELETE /api/pair");
            Thread.sleep(pause.toMillis());
        }
        return Samples.of(latencies);
    }

    /**
     * Pairs {@code count} new devices back to back with no pause, then revokes them and waits
     * {@code recovery} for the certificate pool to refill.
     */
    static Samples burst(BenchDaemon daemon, String prefix, int count, Duration recovery) throws InterruptedException {
        List<Double> latencies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            latencies.add(pairOnce(daemon, prefix + "-" + i));
        }
        for (int i = 0; i < count; i++) {
            BenchDaemon.requireStatus(daemon.delete("/api/pair?device_id=" + prefix + "-" + i), 200,
                    "DELETE /api/pair");
        }
        Thread.sleep(recovery.toMillis());
        return Samples.of(latencies);
    }

    /** Pairs one new device and returns the latency in milliseconds. */
    static double pairOnce(BenchDaemon daemon, String device) {
        long start = System.nanoTime();
        HttpResponse<byte[]> response = daemon.post("/api/pair?device_id=" + device);
        long elapsed = System.nanoTime() - start;
        BenchDaemon.requireStatus(response, 200, "POST /api/pair");
        if (!response.headers().firstValue("content-type").orElse("").startsWith("image/png")
                || response.headers().firstValue("x-pairing-token").isEmpty()) {
            throw new IllegalStateException("POST /api/pair returned no PNG or no x-pairing-token header");
        }
        return elapsed / 1e6;
    }
}
