package io.contop.host.benchmarks.scenario;

import io.contop.host.benchmarks.Figure;
import io.contop.host.benchmarks.Report;
import io.contop.host.benchmarks.Samples;
import io.contop.host.benchmarks.Scale;
import io.contop.host.benchmarks.Section;
import io.contop.host.benchmarks.Verdict;
import io.contop.host.benchmarks.daemon.BenchDaemon;
import io.contop.host.benchmarks.daemon.Workspace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Cold start of the distribution and the resident memory of the idle daemon. */
public final class StartSection implements Section {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Scale scale;
    private final Workspace workspace;

    public StartSection(Scale scale, Workspace workspace) {
        this.scale = scale;
        this.workspace = workspace;
    }

    @Override
    public String name() {
        return "start";
    }

    @Override
    public List<Figure> figures() {
        return List.of(Figure.COLD_START, Figure.IDLE_MEMORY);
    }

    @Override
    public void run(Report report) throws Exception {
        List<Double> startMillis = new ArrayList<>();
        double idleKiB = 0;
        for (int i = 0; i < scale.coldStarts(); i++) {
            try (BenchDaemon daemon = BenchDaemon.prepare(workspace.newDirectory("start"), workspace.distribution())) {
                daemon.launch();
                startMillis.add(daemon.awaitHealthy(START_TIMEOUT).toNanos() / 1e6);
                if (i == scale.coldStarts() - 1) {
                    idleKiB = Memory.settledRssKiB(daemon, scale.idleSettle(), scale.memoryReadings());
                }
            }
        }

        Samples starts = Samples.of(startMillis);
        report.record(Figure.COLD_START, String.format(Locale.ROOT, "median %s s, max %s s",
                        Samples.format(starts.median() / 1000), Samples.format(starts.max() / 1000)),
                starts.count() + " starts", Verdict.of(starts.median() <= 1500),
                "From `bin/contop-host` being spawned (fresh home, empty store) to the first 200 from `/health`, "
                        + "polled every 5 ms. The JVM, Felix and every bundle start; the jar files are in the page "
                        + "cache after the first start. Verdict on the median.");
        report.record(Figure.IDLE_MEMORY, Memory.mebibytes(idleKiB), "median of " + scale.memoryReadings() + " readings",
                Verdict.of(idleKiB <= 128 * 1024), String.format(Locale.ROOT, "`VmRSS` after %d s idle from start, "
                        + "default `CONTOP_JAVA_OPTS` of `bin/contop-host` (heap of 16 MiB initial, 256 MiB "
                        + "maximum) and its `MALLOC_ARENA_MAX=2`.", scale.idleSettle().toSeconds()));
    }
}
