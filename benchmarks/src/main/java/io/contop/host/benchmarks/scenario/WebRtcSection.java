package io.contop.host.benchmarks.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contop.host.benchmarks.Figure;
import io.contop.host.benchmarks.Report;
import io.contop.host.benchmarks.Samples;
import io.contop.host.benchmarks.Scale;
import io.contop.host.benchmarks.Section;
import io.contop.host.benchmarks.Verdict;
import io.contop.host.benchmarks.daemon.BenchDaemon;
import io.contop.host.benchmarks.daemon.ProcessStats;
import io.contop.host.benchmarks.daemon.Workspace;
import io.contop.host.benchmarks.phone.FleetProcess;
import io.contop.host.itests.phone.PhoneOptions;
import io.contop.host.itests.support.EventLog;
import io.contop.host.itests.support.NetworkNamespace;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The WebRTC figures, with {@link io.contop.host.itests.phone.JavaPhone} sessions run by a
 * {@link FleetProcess} inside a network namespace: handshake time, memory per live session, and
 * memory and open sessions after many connect and {@code session_end} cycles.
 */
public final class WebRtcSection implements Section {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(30);
    /** How long a phone of the memory figure stays at most; the benchmark revokes its token long before. */
    private static final Duration LIVE_SESSION_STAY = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Scale scale;
    private final Workspace workspace;

    public WebRtcSection(Scale scale, Workspace workspace) {
        this.scale = scale;
        this.workspace = workspace;
    }

    @Override
    public String name() {
        return "webrtc";
    }

    @Override
    public List<Figure> figures() {
        return List.of(Figure.HANDSHAKE, Figure.SESSION_MEMORY, Figure.CYCLES);
    }

    /** A paired device: its id, and the token and fingerprint that the phone reads from the QR code. */
    private record Device(String id, String token, String fingerprint) {
    }

    /**
     * The phases of one handshake in milliseconds, each from the phone's {@code signaling_open}:
     * the answer arriving, the peer connection reaching {@code connected}, and {@code contop} opening.
     */
    private record Handshake(double answer, double iceConnected, double connected, double contopOpen) {
    }

    @Override
    public void run(Report report) throws Exception {
        try (BenchDaemon daemon = BenchDaemon.prepare(workspace.newDirectory("webrtc"), workspace.distribution())) {
            daemon.launch();
            daemon.awaitHealthy(START_TIMEOUT);
            awaitEngineAvailable(daemon);
            try (NetworkNamespace namespace = new NetworkNamespace(); FleetProcess fleet = FleetProcess.start(namespace)) {
                Device phone = pair(daemon, "bench-phone");
                String url = signalingUrl(namespace, daemon, phone);
                measureHandshakes(report, fleet, url, phone);
                measureSessionMemory(report, daemon, fleet, namespace);
                measureCycles(report, daemon, fleet, url, phone);
            }
        }
    }

    private void measureHandshakes(Report report, FleetProcess fleet, String url, Device phone) {
        List<Double> total = new ArrayList<>();
        List<Double> answers = new ArrayList<>();
        List<Double> iceConnected = new ArrayList<>();
        List<Double> connected = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < scale.handshakeWarmup() + scale.handshakeSessions(); i++) {
            try {
                Handshake handshake = runSession(fleet, "handshake-" + i, url, phone);
                if (i >= scale.handshakeWarmup()) {
                    total.add(handshake.contopOpen());
                    answers.add(handshake.answer());
                    iceConnected.add(handshake.iceConnected());
                    connected.add(handshake.connected());
                }
            } catch (AssertionError | IllegalStateException e) {
                failures.add(firstLine(e));
            }
        }
        if (total.isEmpty()) {
            throw new IllegalStateException("every phone session failed; the first: " + failures.get(0));
        }
        Samples handshakes = Samples.of(total);
        report.record(Figure.HANDSHAKE, handshakes.describeMillis(), handshakes.count() + " sessions"
                        + (failures.isEmpty() ? "" : ", " + failures.size() + " failed"),
                Verdict.of(handshakes.median() <= 12 && failures.isEmpty()),
                String.format(Locale.ROOT, "Measured in the phone: from its `signaling_open` to its `contop` "
                        + "`channel_open`, both stamped with `System.nanoTime()` in the phone's JVM. Covers the "
                        + "phone creating its peer connection and offer, the daemon's answer, ICE over a veth pair "
                        + "into the namespace, DTLS and SCTP. Medians from `signaling_open`: answer received "
                        + "%s ms, ICE `connected` %s ms, peer connection `connected` (ICE and DTLS) %s ms, "
                        + "`contop` open %s ms. One token, sessions one "
                        + "after another, each ended with `session_end`; %d untimed sessions first. No STUN server "
                        + "(`CONTOP_ICE_SERVERS=`). Verdict on the median.%s",
                        Samples.format(Samples.of(answers).median()),
                        Samples.format(Samples.of(iceConnected).median()), Samples.format(Samples.of(connected).median()),
                        Samples.format(handshakes.median()), scale.handshakeWarmup(),
                        failures.isEmpty() ? "" : " Failures: " + String.join("; ", failures)));
    }

    private void measureSessionMemory(Report report, BenchDaemon daemon, FleetProcess fleet,
            NetworkNamespace namespace) throws InterruptedException {
        int count = scale.concurrentSessions();
        Memory.AfterGc base = Memory.afterFullGc(daemon, scale.memorySettle(), scale.memoryReadings());

        List<Device> devices = new ArrayList<>();
        List<EventLog> sessions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Device device = pair(daemon, "bench-live-" + i);
            devices.add(device);
            EventLog session = fleet.startSession("live-" + i,
                    options(signalingUrl(namespace, daemon, device), device).stay(LIVE_SESSION_STAY));
            sessions.add(session);
            session.await("channel_open", event -> "contop".equals(event.path("label").asText()), SESSION_TIMEOUT);
        }
        awaitConnectedClients(daemon, count);
        Memory.AfterGc loaded = Memory.afterFullGc(daemon, scale.memorySettle(), scale.memoryReadings());

        for (Device device : devices) {
            BenchDaemon.requireStatus(daemon.delete("/api/pair?device_id=" + device.id()), 200, "DELETE /api/pair");
        }
        for (int i = 0; i < count; i++) {
            FleetProcess.awaitExit(sessions.get(i), SESSION_TIMEOUT);
            fleet.forget("live-" + i);
        }
        awaitConnectedClients(daemon, 0);
        Memory.AfterGc after = Memory.afterFullGc(daemon, scale.memorySettle(), scale.memoryReadings());

        double perSessionKiB = (loaded.rssKiB() - base.rssKiB()) / count;
        double heapPerSessionKiB = (loaded.heapKiB() - base.heapKiB()) / count;
        report.record(Figure.SESSION_MEMORY, String.format(Locale.ROOT, "%.0f KiB per session (Java heap %.0f KiB)",
                        perSessionKiB, heapPerSessionKiB), count + " sessions", Verdict.of(perSessionKiB <= 250),
                String.format(Locale.ROOT, "Daemon `VmRSS`, read after a full collection (`jcmd GC.run`) and %.1f s "
                                + "of quiet (median of %d readings): %s before, %s with %d sessions open, each "
                                + "connected and receiving the test-pattern video, %s after their tokens were revoked "
                                + "and the sessions closed. Java heap in use after the collection: %s, %s, %s. The "
                                + "sessions of `webrtc.handshake` ran before, so one-time costs of the engine are "
                                + "not counted.", scale.memorySettle().toMillis() / 1000.0, scale.memoryReadings(),
                        Memory.mebibytes(base.rssKiB()), Memory.mebibytes(loaded.rssKiB()), count,
                        Memory.mebibytes(after.rssKiB()), Memory.mebibytes(base.heapKiB()),
                        Memory.mebibytes(loaded.heapKiB()), Memory.mebibytes(after.heapKiB())));
    }

    private void measureCycles(Report report, BenchDaemon daemon, FleetProcess fleet, String url, Device phone)
            throws InterruptedException {
        Memory.AfterGc startMemory = Memory.afterFullGc(daemon, scale.memorySettle(), scale.memoryReadings());
        ProcessStats start = daemon.stats();
        int startClients = connectedClients(daemon);
        int startSessions = openSessions(daemon);

        List<String> trend = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        int step = Math.max(1, scale.cycles() / 5);
        for (int i = 0; i < scale.cycles(); i++) {
            try {
                runSession(fleet, "cycle-" + i, url, phone);
            } catch (AssertionError | IllegalStateException e) {
                failures.add(firstLine(e));
            }
            if ((i + 1) % step == 0) {
                trend.add(Memory.mebibytes(daemon.stats().rssKiB()) + " after " + (i + 1));
            }
        }
        waitForCount(daemon, "connected_clients", startClients);
        waitForCount(daemon, "open_sessions", startSessions);
        Memory.AfterGc endMemory = Memory.afterFullGc(daemon, scale.memorySettle(), scale.memoryReadings());
        ProcessStats end = daemon.stats();
        int endClients = connectedClients(daemon);
        int endSessions = openSessions(daemon);

        double growthPerCycleKiB = (endMemory.rssKiB() - startMemory.rssKiB()) / scale.cycles();
        double heapPerCycleKiB = (endMemory.heapKiB() - startMemory.heapKiB()) / scale.cycles();
        boolean met = endClients == startClients && endSessions == startSessions && failures.isEmpty() && end.fileDescriptors() <= start.fileDescriptors()
                && growthPerCycleKiB <= 10;
        report.record(Figure.CYCLES, String.format(Locale.ROOT,
                        "RSS %s → %s (%+.1f KiB per cycle; Java heap %+.1f KiB per cycle); open_sessions %d → %d; "
                                + "connected_clients %d → %d; "
                                + "threads %d → %d; file descriptors %d → %d", Memory.mebibytes(startMemory.rssKiB()),
                        Memory.mebibytes(endMemory.rssKiB()), growthPerCycleKiB, heapPerCycleKiB, startSessions,
                        endSessions, startClients, endClients, start.threads(), end.threads(), start.fileDescriptors(), end.fileDescriptors()),
                scale.cycles() + " cycles" + (failures.isEmpty() ? "" : ", " + failures.size() + " failed"),
                Verdict.of(met), "Each cycle: the phone connects with the same token, opens both channels, sends "
                        + "`session_end` and waits for the daemon to close the session. RSS and heap read after a "
                        + "full collection (`jcmd GC.run`); heap "
                        + Memory.mebibytes(startMemory.heapKiB()) + " → " + Memory.mebibytes(endMemory.heapKiB())
                        + ". RSS along the way, without a collection: " + String.join(", ", trend)
                        + ". `open_sessions` (every peer connection the engine keeps, connected or not) and "
                        + "`connected_clients` are from `GET /api/connection-info`. Met when both and the file "
                        + "descriptors are back at their starting values, no cycle failed and RSS grew by at most "
                        + "10 KiB per cycle. The cycles start after `webrtc.session_memory`, so the memory its "
                        + "20 sessions freed is already part of the starting RSS."
                        + (failures.isEmpty() ? "" : " Failures: " + String.join("; ", failures.subList(0,
                                Math.min(5, failures.size())))));
    }

    /**
     * Runs one phone session that ends with {@code session_end} and returns its handshake time.
     *
     * @throws AssertionError when an event does not arrive in time
     * @throws IllegalStateException when the fingerprints differ or the phone fails
     */
    private Handshake runSession(FleetProcess fleet, String session, String url, Device phone) {
        EventLog events = fleet.startSession(session, options(url, phone).stay(Duration.ZERO));
        try {
            long open = events.await("signaling_open", event -> true, SESSION_TIMEOUT).path("t_ns").asLong();
            long answer = events.await("answer", event -> true, SESSION_TIMEOUT).path("t_ns").asLong();
            JsonNode match = events.await("fingerprint_match", event -> true, SESSION_TIMEOUT);
            if (!match.path("match").asBoolean()) {
                throw new IllegalStateException("fingerprint mismatch: " + match);
            }
            long iceConnected = events.await("ice_connection_state",
                    event -> "connected".equals(event.path("state").asText()), SESSION_TIMEOUT).path("t_ns").asLong();
            long connected = events.await("connection_state", event -> "connected".equals(event.path("state").asText()),
                    SESSION_TIMEOUT).path("t_ns").asLong();
            long contop = events.await("channel_open", event -> "contop".equals(event.path("label").asText()),
                    SESSION_TIMEOUT).path("t_ns").asLong();
            int status = FleetProcess.awaitExit(events, SESSION_TIMEOUT);
            if (status != 0) {
                throw new IllegalStateException("the phone exited with status " + status + ": " + events.all());
            }
            return new Handshake((answer - open) / 1e6, (iceConnected - open) / 1e6, (connected - open) / 1e6,
                    (contop - open) / 1e6);
        } finally {
            fleet.forget(session);
        }
    }

    private static PhoneOptions options(String url, Device device) {
        return new PhoneOptions().signalingUrl(url).fingerprint(device.fingerprint()).deviceName("Benchmark phone")
                .timeout(SESSION_TIMEOUT);
    }

    private static String signalingUrl(NetworkNamespace namespace, BenchDaemon daemon, Device device) {
        return "ws://" + namespace.hostAddress() + ":" + daemon.port() + "/ws/signaling?token=" + device.token();
    }

    /** Pairs a permanent device and reads its token and fingerprint from the QR code, as a phone would. */
    private static Device pair(BenchDaemon daemon, String id) {
        HttpResponse<byte[]> response = daemon.post("/api/pair?device_id=" + id);
        BenchDaemon.requireStatus(response, 200, "POST /api/pair");
        JsonNode payload = QrCodes.payload(response.body());
        return new Device(id, payload.path("t").asText(), payload.path("d").asText());
    }

    /** Waits up to 60 seconds for {@code /health} to report the WebRTC engine available, which follows the listener. */
    private static void awaitEngineAvailable(BenchDaemon daemon) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            HttpResponse<byte[]> response = daemon.get("/health");
            BenchDaemon.requireStatus(response, 200, "GET /health");
            JsonNode webrtc = JSON.readTree(response.body()).path("webrtc");
            if (webrtc.path("available").asBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the daemon's WebRTC engine is unavailable: "
                        + webrtc.path("detail").asText());
            }
            Thread.sleep(200);
        }
    }

    private static int openSessions(BenchDaemon daemon) {
        return daemon.connectionInfo().path("open_sessions").asInt(-1);
    }

    private static int connectedClients(BenchDaemon daemon) {
        return daemon.connectionInfo().path("connected_clients").asInt(-1);
    }

    /** Waits up to 30 seconds for {@code connected_clients} to equal {@code expected}. */
    private static void awaitConnectedClients(BenchDaemon daemon, int expected) throws InterruptedException {
        int current = waitForCount(daemon, "connected_clients", expected);
        if (current != expected) {
            throw new IllegalStateException("connected_clients stayed at " + current + ", expected " + expected);
        }
    }

    /**
     * Waits up to 30 seconds for the {@code GET /api/connection-info} count {@code field} to equal
     * {@code expected}; returns the last value.
     */
    private static int waitForCount(BenchDaemon daemon, String field, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int current;
        while ((current = daemon.connectionInfo().path(field).asInt(-1)) != expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return current;
    }

    private static String firstLine(Throwable error) {
        String message = String.valueOf(error.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
