package io.contop.host.benchmarks.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import io.contop.host.benchmarks.Figure;
import io.contop.host.benchmarks.Report;
import io.contop.host.benchmarks.Samples;
import io.contop.host.benchmarks.Scale;
import io.contop.host.benchmarks.Section;
import io.contop.host.benchmarks.Verdict;
import io.contop.host.benchmarks.daemon.BenchDaemon;
import io.contop.host.benchmarks.daemon.Workspace;
import io.contop.host.benchmarks.fixture.FakeTailscale;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code POST /api/pair} with the Tailscale path healthy, then with a Tailscale CLI that hangs.
 * Each case is its own daemon whose {@code io.contop.host.path.tailscale.cfg} points at a
 * stand-in from {@link FakeTailscale}.
 */
public final class PathsSection implements Section {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DETECTION_TIMEOUT = Duration.ofSeconds(30);

    private final Scale scale;
    private final Workspace workspace;

    public PathsSection(Scale scale, Workspace workspace) {
        this.scale = scale;
        this.workspace = workspace;
    }

    @Override
    public String name() {
        return "paths";
    }

    @Override
    public List<Figure> figures() {
        return List.of(Figure.TAILSCALE_PAIR);
    }

    @Override
    public void run(Report report) throws Exception {
        if (!Files.isRegularFile(workspace.distribution().resolve("config").resolve("io.contop.host.path.tailscale.cfg"))) {
            report.record(Figure.TAILSCALE_PAIR, "", "", Verdict.NOT_MEASURED, "TODO: the distribution has no "
                    + "Tailscale path (config/io.contop.host.path.tailscale.cfg is missing); measure once "
                    + "bundles/path-tailscale is part of it.");
            return;
        }
        Path binaries = workspace.newDirectory("fake-tailscale");

        Samples healthy;
        try (BenchDaemon daemon = start(FakeTailscale.healthy(binaries))) {
            awaitTailscaleAddressInQr(daemon);
            healthy = PairingLoad.measure(daemon, "bench-healthy", scale.pairWarmup(), scale.pairSamples(),
                    scale.pairPause());
        }

        Samples hanging;
        try (BenchDaemon daemon = start(FakeTailscale.hanging(binaries))) {
            awaitLog(daemon, "timed out");
            hanging = PairingLoad.measure(daemon, "bench-hanging", scale.pairWarmup(), scale.pairSamples(),
                    scale.pairPause());
        }

        report.record(Figure.TAILSCALE_PAIR, String.format(Locale.ROOT, "hanging CLI: %s; healthy: %s",
                        hanging.describeMillis(), healthy.describeMillis()),
                hanging.count() + " + " + healthy.count() + " requests",
                Verdict.of(Comparison.noMeasurableDifference(healthy, hanging)),
                "Healthy: a stand-in `tailscale` that prints " + FakeTailscale.ADDRESS + " at once (the QR code "
                        + "carries it as `ts`). Hanging: a stand-in that sleeps; the path runs it every second and "
                        + "kills it after the default 2 s timeout, so a run is always hanging or being killed while "
                        + "requests arrive. LAN path as detected; no tunnel started (it would need the Internet). "
                        + "Same request method as `pair.http`. " + Comparison.RULE);
    }

    private BenchDaemon start(Path tailscale) throws Exception {
        BenchDaemon daemon = BenchDaemon.prepare(workspace.newDirectory("paths"), workspace.distribution());
        try {
            FakeTailscale.configure(daemon.configDirectory(), tailscale);
            daemon.launch();
            daemon.awaitHealthy(START_TIMEOUT);
            Thread.sleep(scale.idleSettle().toMillis());
            return daemon;
        } catch (Exception | Error e) {
            daemon.close();
            throw e;
        }
    }

    /** Pairs (and revokes) until the QR code carries the stand-in's address as {@code ts}. */
    private static void awaitTailscaleAddressInQr(BenchDaemon daemon) throws InterruptedException {
        long deadline = System.nanoTime() + DETECTION_TIMEOUT.toNanos();
        while (true) {
            HttpResponse<byte[]> response = daemon.post("/api/pair?device_id=bench-detect");
            BenchDaemon.requireStatus(response, 200, "POST /api/pair");
            JsonNode payload = QrCodes.payload(response.body());
            BenchDaemon.requireStatus(daemon.delete("/api/pair?device_id=bench-detect"), 200, "DELETE /api/pair");
            if (FakeTailscale.ADDRESS.equals(payload.path("ts").asText())) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The QR code never carried ts=" + FakeTailscale.ADDRESS
                        + " from the healthy Tailscale stand-in. Log:\n" + daemon.logTail());
            }
            Thread.sleep(500);
        }
    }

    private static void awaitLog(BenchDaemon daemon, String text) throws InterruptedException {
        long deadline = System.nanoTime() + DETECTION_TIMEOUT.toNanos();
        while (!daemon.logContains(text)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The daemon never logged \"" + text + "\" for the hanging Tailscale "
                        + "stand-in. Log:\n" + daemon.logTail());
            }
            Thread.sleep(200);
        }
    }
}
