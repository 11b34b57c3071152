package io.contop.host.benchmarks.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contop.host.api.DtlsIdentity;
import io.contop.host.benchmarks.Figure;
import io.contop.host.benchmarks.Report;
import io.contop.host.benchmarks.Samples;
import io.contop.host.benchmarks.Scale;
import io.contop.host.benchmarks.Section;
import io.contop.host.benchmarks.Verdict;
import io.contop.host.benchmarks.daemon.BenchDaemon;
import io.contop.host.benchmarks.daemon.Workspace;
import io.contop.host.benchmarks.fixture.TokenFixture;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code POST /api/pair} and the signaling upgrade on a daemon with an empty token store, then the
 * same on a daemon whose {@code tokens.json} contains {@link Scale#seededTokens()} permanent tokens.
 */
public final class PairingSection implements Section {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration SIGNALING_PAUSE = Duration.ofMillis(100);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Scale scale;
    private final Workspace workspace;

    public PairingSection(Scale scale, Workspace workspace) {
        this.scale = scale;
        this.workspace = workspace;
    }

    @Override
    public String name() {
        return "pairing";
    }

    @Override
    public List<Figure> figures() {
        return List.of(Figure.PAIR_HTTP, Figure.PAIR_BURST, Figure.TOKENS_START, Figure.TOKENS_PAIR,
                Figure.TOKENS_SIGNALING);
    }

    @Override
    public void run(Report report) throws Exception {
        Samples emptyPairing;
        Samples emptySignaling;
        try (BenchDaemon daemon = BenchDaemon.prepare(workspace.newDirectory("pairing-empty"),
                workspace.distribution())) {
            daemon.launch();
            daemon.awaitHealthy(START_TIMEOUT);
            Thread.sleep(scale.idleSettle().toMillis());

            emptyPairing = PairingLoad.measure(daemon, "bench-pair", scale.pairWarmup(), scale.pairSamples(),
                    scale.pairPause());
            report.record(Figure.PAIR_HTTP, emptyPairing.describeMillis(), emptyPairing.count() + " requests",
                    Verdict.of(emptyPairing.median() <= 5 && emptyPairing.percentile(99) <= 20),
                    pairingMethod() + " Empty store, default configuration (no Tailscale CLI installed, no tunnel).");

            Samples burst = PairingLoad.burst(daemon, "bench-burst", scale.burstSize(), Duration.ofSeconds(5));
            report.record(Figure.PAIR_BURST, burst.describeMillis() + ", max " + Samples.format(burst.max()) + " ms",
                    burst.count() + " requests", Verdict.NO_GOAL, "New devices paired one after another with no pause "
                            + "and no revocation in between. Once the certificate pool (4 ahead) is empty each "
                            + "pairing waits for an RSA-2048 key generation (see `dtls.cold`).");

            emptySignaling = SignalingLoad.measure(daemon.port(), pairToken(daemon, "bench-signaling"),
                    scale.signalingSamples() / 10, scale.signalingSamples(), SIGNALING_PAUSE);
        }

        try (BenchDaemon daemon = BenchDaemon.prepare(workspace.newDirectory("pairing-seeded"),
                workspace.distribution())) {
            DtlsIdentity identity = TokenFixture.issueSharedIdentity();
            List<String> tokens = TokenFixture.write(daemon.dataDirectory(), scale.seededTokens(), identity);
            long fileBytes = java.nio.file.Files.size(daemon.dataDirectory().resolve("tokens.json"));
            daemon.launch();
            Duration start = daemon.awaitHealthy(START_TIMEOUT);
            requireDeviceCount(daemon, scale.seededTokens());
            report.record(Figure.TOKENS_START, Samples.format(start.toNanos() / 1e9) + " s", "1 start", Verdict.NO_GOAL,
                    String.format(Locale.ROOT, "`tokens.json` of %,d entries (%.1f MiB) written before the start; "
                            + "the token store restores every certificate before the listener starts. Compare "
                            + "`start.cold` (empty store) and `dtls.restore` (per entry).", scale.seededTokens(),
                            fileBytes / 1024.0 / 1024.0));
            Thread.sleep(scale.idleSettle().toMillis());

            Samples seededPairing = PairingLoad.measure(daemon, "bench-pair", scale.pairWarmup(), scale.pairSamples(),
                    scale.pairPause());
            report.record(Figure.TOKENS_PAIR, String.format(Locale.ROOT, "%,d tokens: %s; empty: %s",
                            scale.seededTokens(), seededPairing.describeMillis(), emptyPairing.describeMillis()),
                    seededPairing.count() + " + " + emptyPairing.count() + " requests",
                    Verdict.of(Comparison.noMeasurableDifference(emptyPairing, seededPairing)),
                    pairingMethod() + " " + Comparison.RULE + " Fixture: " + fixtureNote());

            Samples seededSignaling = SignalingLoad.measure(daemon.port(), tokens.get(tokens.size() / 2),
                    scale.signalingSamples() / 10, scale.signalingSamples(), SIGNALING_PAUSE);
            report.record(Figure.TOKENS_SIGNALING, String.format(Locale.ROOT, "%,d tokens: %s; empty: %s",
                            scale.seededTokens(), seededSignaling.describeMillis(), emptySignaling.describeMillis()),
                    seededSignaling.count() + " + " + emptySignaling.count() + " upgrades",
                    Verdict.of(Comparison.noMeasurableDifference(emptySignaling, seededSignaling)),
                    "`ws://127.0.0.1/ws/signaling?token=...` with a valid permanent token, timed from the request "
                            + "to the open socket (the daemon validates the token before it returns 101), then closed; "
                            + "a 100 ms pause after each. Each open also records the device's last connection, "
                            + "which the store saves to `tokens.json` within `device.save.seconds` (60 s by default). " + Comparison.RULE + " Fixture: " + fixtureNote());
        }
    }

    private String pairingMethod() {
        return String.format(Locale.ROOT, "Timed from the request to the last byte of the PNG with a keep-alive "
                + "HTTP/1.1 client; each pairing is revoked (not timed) and followed by a %d ms pause so that the "
                + "certificate pool stays full; %d untimed pairings first.", scale.pairPause().toMillis(),
                scale.pairWarmup());
    }

    private String fixtureNote() {
        return String.format(Locale.ROOT, "%,d permanent tokens sharing one test certificate.", scale.seededTokens());
    }

    /** Pairs a permanent device and returns its token. */
    static String pairToken(BenchDaemon daemon, String device) {
        HttpResponse<byte[]> response = daemon.post("/api/pair?device_id=" + device);
        BenchDaemon.requireStatus(response, 200, "POST /api/pair");
        return response.headers().firstValue("x-pairing-token")
                .orElseThrow(() -> new IllegalStateException("POST /api/pair returned no x-pairing-token header"));
    }

    private static void requireDeviceCount(BenchDaemon daemon, int expected) throws Exception {
        HttpResponse<byte[]> response = daemon.get("/api/devices");
        BenchDaemon.requireStatus(response, 200, "GET /api/devices");
        JsonNode devices = JSON.readTree(response.body()).path("devices");
        if (devices.size() != expected) {
            throw new IllegalStateException("the daemon loaded " + devices.size() + " stored tokens, expected "
                    + expected + ". Log:\n" + daemon.logTail());
        }
    }
}
