package io.contop.host.itests.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contop.host.itests.phone.PhoneOptions;
import io.contop.host.itests.support.DaemonProcess;
import io.contop.host.itests.support.NetworkNamespace;
import io.contop.host.itests.support.OfferSdp;
import io.contop.host.itests.support.PairingQr;
import io.contop.host.itests.support.PhoneProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * Closing WebRTC sessions while the engine is still busy with them: an offer being applied, an
 * answer being created, remote candidates arriving, ICE and DTLS running, data channels opening
 * and video frames being sent. The engine frees each closed native peer connection and its RTP
 * senders through {@code NativePeerConnectionRelease}, so a release at the wrong moment would show
 * here as a JVM crash.
 *
 * <p>Sessions end by revocation ({@code DELETE /api/pair}), by a new offer for the same token, by
 * stopping the engine bundle, and by stopping the daemon. After each scenario except the daemon
 * shutdown, the daemon must still run with the engine available, report no open session, and
 * serve a new phone. Each test runs its own daemon, whose log is kept in {@code target/session-teardown/}:
 * neither that log nor the daemon's exit may show a JVM crash, and the daemon must exit with 0.
 *
 * <p>Signaling without a phone uses an offer that webrtc-java makes in this JVM and never applies
 * locally, so no peer answers the engine's connectivity checks. The remote candidates sent with it
 * point into this class's network namespace, where no one listens.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SessionTeardownIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENGINE_BUNDLE = "io.contop.host.webrtc";
    /** A keepalive every second and twice the default frame rate, so that closing sessions are busy sending. */
    private static final Map<String, String> BUSY_ENGINE_CONFIG = Map.of("io.contop.host.webrtc.cfg",
            "keepalive.seconds=1\npattern.fps=30\n");
    /** The engine's last log line when it stops, with the number of sessions it closed. */
    private static final Pattern ENGINE_STOPPED = Pattern.compile("WebRTC engine stopped; (\\d+) session\\(s\\) closed");
    /**
     * Sessions left waiting in ICE when the engine stops. Closing each takes a few milliseconds, so
     * together they give a phone's data channel time to open while the engine stops.
     */
    private static final int SESSIONS_BEFORE_STOP = 40;
    private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final List<String> CRASH_MARKERS = List.of("sigsegv", "hs_err", "fatal error");
    private static final Path LOG_DIRECTORY = Path.of("target", "session-teardown");

    private static NetworkNamespace namespace;
    private static HttpClient webSockets;
    private static String offerSdp;

    private DaemonProcess daemon;

    @BeforeAll
    static void createNamespaceAndOffer() throws Exception {
        namespace = new NetworkNamespace();
        webSockets = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(Duration.ofSeconds(5)).build();
        offerSdp = OfferSdp.get();
    }

    @AfterAll
    static void deleteNamespace() {
        if (namespace != null) {
            namespace.close();
        }
    }

    @BeforeEach
    void startDaemon() {
        daemon = DaemonProcess.start(Map.of("CONTOP_SHELL", "stdin"), BUSY_ENGINE_CONFIG);
    }

    /** Stops the daemon, keeps its log, and checks that its exit, which disposes the engine, did not crash. */
    @AfterEach
    void stopDaemon(TestInfo test) throws IOException {
        if (daemon == null) {
            return;
        }
        Files.createDirectories(LOG_DIRECTORY);
        String name = test.getTestMethod().map(java.lang.reflect.Method::getName).orElse("unknown");
        int status;
        String log;
        try {
            status = daemon.stop();
        } finally {
            log = daemon.log();
            Files.writeString(LOG_DIRECTORY.resolve(name + ".log"), log);
            daemon.close();
        }
        assertEquals(0, status, "exit status of the daemon; its log is in " + LOG_DIRECTORY.resolve(name + ".log"));
        assertNoCrashMarkers(log);
    }

    @Test
    void revokeBeforeAnswerRepeated() throws Exception {
        for (int i = 0; i < 30; i++) {
            String deviceId = "revoke-race";
            String token = pair(deviceId).get("t").asText();
            try (OfferSocket socket = OfferSocket.open(daemon.port(), token)) {
                socket.send(offerMessage());
                switch (i % 3) {
                    // Revoked while the offer is queued or being applied.
                    case 0 -> { }
                    // Revoked with remote candidates queued behind the offer.
                    case 1 -> sendCandidates(socket, 5, 41000 + i * 10);
                    // Revoked while the answer is applied and local candidates are gathered.
                    default -> socket.awaitFrame(frame -> true, EVENT_TIMEOUT);
                }
                revoke(deviceId);
                assertEquals(4001, socket.awaitCloseCode(CLOSE_TIMEOUT), "close code in round " + i);
            }
        }

        assertRecovered();
    }

    @Test
    void takeoverBeforeAnswerRepeated() throws Exception {
        String token = pair("takeover-race").get("t").asText();
        OfferSocket previous = null;
        try {
            for (int i = 0; i < 30; i++) {
                OfferSocket next = OfferSocket.open(daemon.port(), token);
                next.send(offerMessage());
                if (previous != null) {
                    assertEquals(4002, previous.awaitCloseCode(CLOSE_TIMEOUT), "close code in round " + i);
                    previous.close();
                }
                previous = next;
            }
            // Offers on one socket: each opens a session that closes the one before it.
            for (int i = 0; i < 20; i++) {
                previous.send(offerMessage());
            }
            revoke("takeover-race");
            assertEquals(4001, previous.awaitCloseCode(CLOSE_TIMEOUT));
        } finally {
            if (previous != null) {
                previous.close();
            }
        }

        assertRecovered();
    }

    @Test
    void revokeDuringCandidateBurst() throws Exception {
        for (int i = 0; i < 12; i++) {
            String deviceId = "burst-" + i;
            String token = pair(deviceId).get("t").asText();
            try (OfferSocket socket = OfferSocket.open(daemon.port(), token)) {
                int firstPort = 42000 + i * 100;
                if (i % 2 == 0) {
                    socket.send(offerMessage());
                    sendCandidates(socket, 60, firstPort);
                } else {
                    // Candidates before the offer wait in the signaling socket, then in the session.
                    sendCandidates(socket, 30, firstPort);
                    socket.send(offerMessage());
                    sendCandidates(socket, 30, firstPort + 30);
                }
                if (i % 3 != 0) {
                    // ICE starts once the answer is applied, with the candidates already added.
                    socket.awaitFrame(frame -> "answer".equals(frame.path("type").asText()), EVENT_TIMEOUT);
                }
                revoke(deviceId);
                assertEquals(4001, socket.awaitCloseCode(CLOSE_TIMEOUT), "close code in round " + i);
            }
        }

        assertRecovered();
    }

    @Test
    void revokeAtEachPhoneStage() throws Exception {
        List<Stage> stages = List.of(
                new Stage("answer", "answer", event -> true, false),
                new Stage("ice-checking", "ice_connection_state", event -> "checking".equals(event.path("state").asText()), false),
                new Stage("connected", "connection_state", event -> "connected".equals(event.path("state").asText()), false),
                new Stage("channel-open", "channel_open", event -> true, false),
                new Stage("video-frame", "video_frame", event -> true, true),
                new Stage("state-update", "message", event -> "state_update".equals(event.at("/data/type").asText()), true));
        ExecutorService pool = Executors.newFixedThreadPool(stages.size());
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (Stage stage : stages) {
                runs.add(pool.submit(() -> {
                    revokeAtStage(stage);
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(90, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertRecovered();
    }

    private void revokeAtStage(Stage stage) {
        String deviceId = "stage-" + stage.name();
        try (PhoneProcess phone = startPhone(deviceId, Duration.ofSeconds(60))) {
            phone.awaitEvent(stage.event(), stage.filter(), EVENT_TIMEOUT);
            revoke(deviceId);
            if (stage.channelsOpen()) {
                JsonNode done = phone.awaitEvent("done", EVENT_TIMEOUT);
                assertTrue(done.path("closed_by_host").asBoolean(), stage.name() + ": " + done);
            }
        }
    }

    /** A point in a phone's connection, named by the event that {@code JavaPhone} reports for it. */
    private record Stage(String name, String event, Predicate<JsonNode> filter, boolean channelsOpen) {
    }

    @Test
    void revokeManySessionsAtOnce() throws Exception {
        List<String> deviceIds = new ArrayList<>();
        List<PhoneProcess> phones = new ArrayList<>();
        List<OfferSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                deviceIds.add("many-phone-" + i);
                phones.add(startPhone("many-phone-" + i, Duration.ofSeconds(60)));
            }
            for (PhoneProcess phone : phones) {
                phone.awaitEvent("message", event -> "state_update".equals(event.at("/data/type").asText()), EVENT_TIMEOUT);
                phone.awaitEvent("video_frame", EVENT_TIMEOUT);
            }
            sockets.addAll(negotiatingSockets("many-raw-", 5, 43000));
            for (int i = 0; i < 5; i++) {
                deviceIds.add("many-raw-" + i);
            }
            assertEquals(10, openSessions(), "sessions open before the revocations");

            revokeConcurrently(deviceIds);

            for (PhoneProcess phone : phones) {
                JsonNode done = phone.awaitEvent("done", EVENT_TIMEOUT);
                assertTrue(done.path("closed_by_host").asBoolean(), done.toString());
            }
            for (OfferSocket socket : sockets) {
                assertEquals(4001, socket.awaitCloseCode(CLOSE_TIMEOUT));
            }
        } finally {
            phones.forEach(PhoneProcess::close);
            sockets.forEach(OfferSocket::close);
        }

        assertRecovered();
    }

    @Test
    void engineStopDuringNegotiation() throws Exception {
        String bundleId = bundleId();
        List<OfferSocket> sockets = negotiatingSockets("engine-raw-", SESSIONS_BEFORE_STOP, 44000);
        // Each cycle stops the bundle after this event of the last phone started: during ICE and
        // DTLS, before its offer, and while its data channels open.
        String[] stopAfter = {"answer", "signaling_open", "channel_open"};
        try {
            for (int cycle = 0; cycle < stopAfter.length; cycle++) {
                if (cycle > 0) {
                    // The signaling sockets outlive the engine, so new offers open sessions in the new one.
                    for (OfferSocket socket : sockets) {
                        socket.send(offerMessage());
                    }
                    awaitOpenSessions(sockets.size());
                }
                List<String> deviceIds = new ArrayList<>();
                List<PhoneProcess> phones = new ArrayList<>();
                try {
                    for (int i = 0; i < 3; i++) {
                        String deviceId = "engine-" + cycle + "-phone-" + i;
                        deviceIds.add(deviceId);
                        phones.add(startPhone(deviceId, Duration.ofSeconds(60)));
                    }
                    phones.get(phones.size() - 1).awaitEvent(stopAfter[cycle], EVENT_TIMEOUT);

                    int logOffset = daemon.log().length();
                    shell("stop " + bundleId);
                    String stopped = awaitLog(ENGINE_STOPPED, logOffset);
                    assertTrue(Integer.parseInt(stopped) >= sockets.size(), "sessions closed by the stop in cycle "
                            + cycle + ": " + stopped);

                    shell("start " + bundleId);
                    awaitEngineAvailable();
                } finally {
                    phones.forEach(PhoneProcess::close);
                }
                // An offer that arrived after the restart opened a session in the new engine.
                for (String deviceId : deviceIds) {
                    revoke(deviceId);
                }
            }
        } finally {
            sockets.forEach(OfferSocket::close);
        }
        for (int i = 0; i < sockets.size(); i++) {
            revoke("engine-raw-" + i);
        }

        assertRecovered();
    }

    @Test
    void shutdownDuringNegotiation() throws Exception {
        List<OfferSocket> sockets = negotiatingSockets("shutdown-raw-", SESSIONS_BEFORE_STOP, 45000);
        List<PhoneProcess> phones = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                phones.add(startPhone("shutdown-phone-" + i, Duration.ofSeconds(60)));
            }
            phones.get(phones.size() - 1).awaitEvent("answer", EVENT_TIMEOUT);
            int logOffset = daemon.log().length();

            assertEquals(0, daemon.stop(), daemon.log());
            String stopped = awaitLog(ENGINE_STOPPED, logOffset);
            assertTrue(Integer.parseInt(stopped) >= sockets.size(), "sessions closed by the shutdown: " + stopped);
        } finally {
            phones.forEach(PhoneProcess::close);
            sockets.forEach(OfferSocket::close);
        }
        assertNoCrashMarkers(daemon.log());
    }

    /**
     * Asserts that the daemon survived the scenario: it runs, its engine is available, no session
     * is left open, a new phone completes a session, and its output shows no JVM crash.
     */
    private void assertRecovered() throws Exception {
        assertTrue(daemon.isAlive(), "the daemon exited:\n" + daemon.log());

        HttpResponse<byte[]> health = request("GET", "/health");
        assertEquals(200, health.statusCode(), new String(health.body()));
        JsonNode healthBody = JSON.readTree(health.body());
        assertTrue(healthBody.at("/webrtc/available").asBoolean(), healthBody.toString());

        JsonNode info = awaitNoOpenSessions();
        assertEquals(0, info.get("open_sessions").asInt(), info.toString());
        assertEquals(0, info.get("connected_clients").asInt(), info.toString());

        try (PhoneProcess fresh = startPhone("after-teardown", Duration.ofMillis(200))) {
            fresh.awaitEvent("message", event -> "state_update".equals(event.at("/data/type").asText()), EVENT_TIMEOUT);
            JsonNode done = fresh.awaitEvent("done", EVENT_TIMEOUT);
            assertTrue(done.path("closed_after_session_end").asBoolean(), done.toString());
            assertEquals(0, fresh.awaitExit(EVENT_TIMEOUT), fresh.stderr());
        }
        assertEquals(0, awaitNoOpenSessions().get("open_sessions").asInt(), "the new phone's session stayed open");

        assertTrue(daemon.isAlive(), "the daemon exited:\n" + daemon.log());
        assertNoCrashMarkers(daemon.log());
        Path errorFile = Path.of("hs_err_pid" + daemon.pid() + ".log");
        assertFalse(Files.exists(errorFile), "the JVM wrote " + errorFile.toAbsolutePath());
    }

    private static void assertNoCrashMarkers(String log) {
        String lowerCase = log.toLowerCase(Locale.ROOT);
        for (String marker : CRASH_MARKERS) {
            assertFalse(lowerCase.contains(marker), "the daemon's output contains \"" + marker + "\":\n" + log);
        }
    }

    private PhoneProcess startPhone(String deviceId, Duration stay) {
        JsonNode payload = pair(deviceId);
        String url = "ws://" + namespace.hostAddress() + ":" + daemon.port() + "/ws/signaling?token="
                + payload.get("t").asText();
        PhoneOptions options = new PhoneOptions().signalingUrl(url).fingerprint(payload.get("d").asText())
                .stay(stay).timeout(EVENT_TIMEOUT);
        return PhoneProcess.start(namespace, options);
    }

    /**
     * Opens {@code count} signaling sockets, each for a temporary pairing of device id
     * {@code devicePrefix} plus its index, sends an offer and 5 candidates on each, and waits until
     * every session is answered and stuck in ICE. Temporary pairings live in memory, so their
     * signaling messages do not rewrite {@code tokens.json} as those of permanent ones do.
     */
    private List<OfferSocket> negotiatingSockets(String devicePrefix, int count, int firstPort) throws Exception {
        List<OfferSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                OfferSocket socket = OfferSocket.open(daemon.port(), pair(devicePrefix + i, "temp").get("t").asText());
                sockets.add(socket);
                socket.send(offerMessage());
                sendCandidates(socket, 5, firstPort + i * 5);
            }
            for (OfferSocket socket : sockets) {
                socket.awaitFrame(frame -> "answer".equals(frame.path("type").asText()), EVENT_TIMEOUT);
            }
        } catch (Exception | AssertionError e) {
            sockets.forEach(OfferSocket::close);
            throw e;
        }
        return sockets;
    }

    /**
     * Sends a request to the daemon. A connection that fails because the daemon is gone fails the
     * test with the daemon's output, which shows the crash.
     */
    private HttpResponse<byte[]> request(String method, String path) {
        try {
            return switch (method) {
                case "GET" -> daemon.get(path);
                case "POST" -> daemon.post(path);
                case "DELETE" -> daemon.delete(path);
                default -> throw new IllegalArgumentException("unsupported method " + method);
            };
        } catch (UncheckedIOException e) {
            if (!awaitDaemonExit()) {
                throw e;
            }
            throw new AssertionError(method + " " + path + " failed because the daemon exited:\n" + daemon.log(), e);
        }
    }

    /** Sends a command line to the daemon's Gogo shell, failing the test with the daemon's output when it is gone. */
    private void shell(String commandLine) {
        try {
            daemon.shell(commandLine);
        } catch (UncheckedIOException e) {
            if (!awaitDaemonExit()) {
                throw e;
            }
            throw new AssertionError("shell command " + commandLine + " failed because the daemon exited:\n"
                    + daemon.log(), e);
        }
    }

    /**
     * Returns whether the daemon exits within 5 s. A crashed daemon's port refuses connections
     * shortly before {@link DaemonProcess#isAlive()} reports the exit, so the check waits.
     */
    private boolean awaitDaemonExit() {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (daemon.isAlive() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return !daemon.isAlive();
    }

    private JsonNode pair(String deviceId) {
        return pair(deviceId, "permanent");
    }

    private JsonNode pair(String deviceId, String connectionType) {
        HttpResponse<byte[]> response = request("POST", "/api/pair?device_id=" + deviceId + "&connection_type=" + connectionType);
        assertEquals(200, response.statusCode(), "pairing " + deviceId + ": " + new String(response.body()));
        return PairingQr.decodePayload(response.body());
    }

    private void revoke(String deviceId) {
        HttpResponse<byte[]> response = request("DELETE", "/api/pair?device_id=" + deviceId);
        assertEquals(200, response.statusCode(), "revoking " + deviceId + ": " + new String(response.body()));
    }

    /** Sends one revocation per device id, all released at the same moment from threads of their own. */
    private void revokeConcurrently(List<String> deviceIds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(deviceIds.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> revocations = new ArrayList<>();
            for (String deviceId : deviceIds) {
                revocations.add(pool.submit(() -> {
                    start.await();
                    revoke(deviceId);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> revocation : revocations) {
                revocation.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private int openSessions() throws IOException {
        return JSON.readTree(request("GET", "/api/connection-info").body()).get("open_sessions").asInt();
    }

    private void awaitOpenSessions(int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int open = openSessions();
        while (open < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
            open = openSessions();
        }
        assertTrue(open >= expected, "open sessions: " + open + ", expected at least " + expected);
    }

    /** Returns {@code /api/connection-info} once it reports no open session, or the last reply after 20 s. */
    private JsonNode awaitNoOpenSessions() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode info = JSON.readTree(request("GET", "/api/connection-info").body());
        while (info.get("open_sessions").asInt() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            info = JSON.readTree(request("GET", "/api/connection-info").body());
        }
        return info;
    }

    private void awaitEngineAvailable() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode health = JSON.readTree(request("GET", "/health").body());
            if (health.at("/webrtc/available").asBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the engine did not become available again within 20 s:\n" + daemon.log());
    }

    /** Returns the engine bundle's id from the output of the shell's {@code lb} command. */
    private String bundleId() throws Exception {
        int logOffset = daemon.log().length();
        shell("lb -s " + ENGINE_BUNDLE);
        return awaitLog(Pattern.compile("(?m)^\\s*(\\d+)\\|.*\\|" + Pattern.quote(ENGINE_BUNDLE) + "\\b"), logOffset);
    }

    /** Waits up to 20 s for {@code pattern} in the daemon's output after {@code offset} and returns its first group. */
    private String awaitLog(Pattern pattern, int offset) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher match = pattern.matcher(daemon.log().substring(offset));
            if (match.find()) {
                return match.group(1);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no match for " + pattern + " in the daemon's output within 20 s:\n"
                + daemon.log().substring(offset));
    }

    private static String offerMessage() {
        return JSON.createObjectNode().put("type", "offer").put("sdp", offerSdp)
                .put("device_name", "Teardown test").toString();
    }

    /**
     * Sends {@code count} host candidates of the phone's namespace address, on UDP ports from
     * {@code firstPort} and every fifth one on TCP, so that the engine's ICE checks go into the
     * namespace, where no one answers.
     */
    private static void sendCandidates(OfferSocket socket, int count, int firstPort) throws Exception {
        String mid = firstMid(offerSdp);
        for (int i = 0; i < count; i++) {
            int port = firstPort + i;
            String candidate = i % 5 == 4
                    ? "candidate:" + (9000 + i) + " 1 tcp 1518280447 " + namespace.phoneAddress() + " " + port
                            + " typ host tcptype passive generation 0"
                    : "candidate:" + (1000 + i) + " 1 udp 2122260223 " + namespace.phoneAddress() + " " + port
                            + " typ host generation 0";
            ObjectNode message = JSON.createObjectNode().put("type", "ice_candidate");
            message.putObject("candidate").put("candidate", candidate).put("sdpMid", mid).put("sdpMLineIndex", 0);
            socket.send(message.toString());
        }
    }

    private static String firstMid(String sdp) {
        Matcher mid = Pattern.compile("(?m)^a=mid:(\\S+)").matcher(sdp);
        if (!mid.find()) {
            throw new IllegalStateException("the offer has no a=mid line:\n" + sdp);
        }
        return mid.group(1);
    }

    /** A signaling socket on loopback that a test writes frame by frame. It records the host's frames and close code. */
    private static final class OfferSocket implements AutoCloseable {
        private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        private final WebSocket socket;

        private OfferSocket(URI uri) throws Exception {
            socket = webSockets.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(uri, new Listener()).get(10, TimeUnit.SECONDS);
        }

        static OfferSocket open(int port, String token) throws Exception {
            return new OfferSocket(URI.create("ws://127.0.0.1:" + port + "/ws/signaling?token=" + token));
        }

        void send(String text) throws Exception {
            socket.sendText(text, true).get(10, TimeUnit.SECONDS);
        }

        /** Waits for the next host frame that {@code filter} accepts, dropping the frames before it. */
        JsonNode awaitFrame(Predicate<JsonNode> filter, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long remaining = deadline - System.nanoTime();
                JsonNode frame = remaining > 0 ? frames.poll(remaining, TimeUnit.NANOSECONDS) : null;
                if (frame == null) {
                    throw new AssertionError("no matching signaling frame from the host within " + timeout.toMillis()
                            + " ms; close code " + closeCode.getNow(null));
                }
                if (filter.test(frame)) {
                    return frame;
                }
            }
        }

        int awaitCloseCode(Duration timeout) throws Exception {
            return closeCode.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            socket.abort();
        }

        private final class Listener implements WebSocket.Listener {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    try {
                        frames.add(JSON.readTree(partial.toString()));
                    } catch (IOException e) {
                        frames.add(JSON.createObjectNode().put("type", "not-json").put("text", partial.toString()));
                    }
                    partial.setLength(0);
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closeCode.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closeCode.completeExceptionally(error);
            }
        }
    }
}
