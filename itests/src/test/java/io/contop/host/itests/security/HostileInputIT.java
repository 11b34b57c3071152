package io.contop.host.itests.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contop.host.itests.phone.PhoneOptions;
import io.contop.host.itests.support.DaemonProcess;
import io.contop.host.itests.support.ExternalCommand;
import io.contop.host.itests.support.NetworkNamespace;
import io.contop.host.itests.support.OfferSdp;
import io.contop.host.itests.support.PairingQr;
import io.contop.host.itests.support.PhoneProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays the hostile-input corpus ({@code src/test/resources/hostile/signaling.jsonl} and
 * {@code rest.jsonl}) against one daemon. After every case {@code /health} returns 200 and a second
 * signaling socket, with a token of its own, gets an answer to a real offer; every
 * {@value #PHONE_EVERY} cases and at the end a phone in a network namespace completes a whole
 * WebRTC session.
 *
 * <p>Signaling cases name a request target and headers for the upgrade, the frames to send and
 * the reply expected: {@code {"error":X}} (an error frame containing X), {@code {"close":N}},
 * {@code {"status":N}} (the upgrade refused with HTTP status N), {@code {"answer":true}} (an
 * answer whose fingerprint is the token's) or {@code {"silent":true}} (no reply within a second
 * and the socket stays open); a list of them means any one. REST cases name the source (loopback
 * or a network namespace), the listener (public or the tunnel's), the request and the statuses
 * allowed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PHONE_EVERY = 40;
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(15);

    private static DaemonProcess daemon;
    private static NetworkNamespace namespace;
    private static String offer;
    private static Pairing corpus;
    private static Pairing canary;
    private static Pairing phone;
    private static int tunnelPort;
    private static int casesRun;
    private static long canaryNanos;

    /** A pairing made for the test: the token and the QR's fingerprint. */
    private record Pairing(String deviceId, String token, String fingerprint) {
    }

    @BeforeAll
    static void start() throws Exception {
        daemon = DaemonProcess.start();
        namespace = new NetworkNamespace();
        offer = OfferSdp.get();
        corpus = pair("hostile-corpus");
        canary = pair("hostile-canary");
        phone = pair("hostile-phone");
        tunnelPort = tunnelPort();
    }

    @AfterAll
    static void stop() {
        System.out.printf(Locale.ROOT, "HostileInputIT: %d cases, mean canary answer %d ms%n", casesRun,
                casesRun == 0 ? 0 : canaryNanos / casesRun / 1_000_000);
        if (namespace != null) {
            namespace.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    static Stream<Arguments> signalingCases() {
        return HostileCorpus.load("signaling.jsonl").stream().map(c -> Arguments.of(c.get("name").asText(), c));
    }

    static Stream<Arguments> restCases() {
        return HostileCorpus.load("rest.jsonl").stream().map(c -> Arguments.of(c.get("name").asText(), c));
    }

    @Test
    @Order(0)
    void corpusIsLargeEnough() {
        assertTrue(HostileCorpus.load("signaling.jsonl").size() >= 60);
        assertTrue(HostileCorpus.load("rest.jsonl").size() >= 30);
    }

    @ParameterizedTest(name = "signaling {0}")
    @MethodSource("signalingCases")
    @Order(1)
    void signalingCase(String name, JsonNode testCase) throws Exception {
        int parallel = testCase.path("parallel").asInt(1);
        if (parallel == 1) {
            replaySignaling(testCase);
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, 16));
            try {
                List<Future<?>> runs = new ArrayList<>();
                for (int i = 0; i < parallel; i++) {
                    runs.add(pool.submit(() -> {
                        replaySignaling(testCase);
                        return null;
                    }));
                }
                for (Future<?> run : runs) {
                    run.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        if (testCase.path("check_device").asBoolean()) {
            checkDeviceStrings();
        }
    }

    @ParameterizedTest(name = "rest {0}")
    @MethodSource("restCases")
    @Order(2)
    void restCase(String name, JsonNode testCase) throws Exception {
        Response response = testCase.has("raw") ? sendRaw(testCase) : sendWithCurl(testCase);
        List<Integer> allowed = new ArrayList<>();
        testCase.get("expect_status").forEach(status -> allowed.add(status.asInt()));
        assertTrue(allowed.contains(response.status()), () -> name + ": status " + response.status() + ", expected one of "
                + allowed + "; body: " + abbreviate(response.body()));
        if (testCase.has("expect_body")) {
            assertTrue(response.body().contains(testCase.get("expect_body").asText()),
                    () -> name + ": body does not contain " + testCase.get("expect_body") + ": " + abbreviate(response.body()));
        }
    }

    @Test
    @Order(3)
    void phoneSessionAfterCorpus() {
        runPhoneSession();
    }

    @Test
    @Order(4)
    void logsHoldNoToken() throws IOException {
        String logs = SecurityChecks.allLogs(daemon);
        for (Pairing pairing : List.of(corpus, canary, phone)) {
            assertTrue(!logs.contains(pairing.token()), "the log contains the full token of " + pairing.deviceId());
        }
    }

    @AfterEach
    void daemonStillServes() throws Exception {
        assertEquals(200, daemon.get("/health").statusCode(), "health after the case");
        long start = System.nanoTime();
        try (RawWebSocket socket = RawWebSocket.open(daemon.port(), "/ws/signaling?token=" + canary.token(), Map.of())) {
            assertEquals(101, socket.handshakeStatus(), "canary upgrade");
            socket.sendText("{\"type\":\"offer\",\"sdp\":" + JSON.writeValueAsString(offer) + "}");
            String fingerprint = awaitAnswerFingerprint(socket);
            assertEquals(canary.fingerprint(), fingerprint, "canary answer fingerprint");
        }
        canaryNanos += System.nanoTime() - start;
        casesRun++;
        if (casesRun % PHONE_EVERY == 0) {
            runPhoneSession();
        }
    }

    private static String awaitAnswerFingerprint(RawWebSocket socket) throws Exception {
        long deadline = System.nanoTime() + REPLY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String text = socket.nextText(Duration.ofMillis(200));
            if (text == null) {
                continue;
            }
            JsonNode message = JSON.readTree(text);
            if ("answer".equals(message.path("type").asText())) {
                List<String> fingerprints = OfferSdp.sha256Fingerprints(message.path("sdp").asText());
                return fingerprints.isEmpty() ? "(none)" : fingerprints.get(0);
            }
            if ("error".equals(message.path("type").asText())) {
                fail("canary got an error instead of an answer: " + message.path("message").asText());
            }
        }
        fail("no answer on the canary socket within " + REPLY_TIMEOUT.toSeconds() + " s\n" + daemon.log());
        return null;
    }

    private static void runPhoneSession() {
        String url = "ws://" + namespace.hostAddress() + ":" + daemon.port() + "/ws/signaling?token=" + phone.token();
        try (PhoneProcess session = PhoneProcess.start(namespace, new PhoneOptions().signalingUrl(url)
                .fingerprint(phone.fingerprint()).stay(Duration.ofMillis(200)))) {
            session.awaitEvent("message", event -> "state_update".equals(event.at("/data/type").asText()),
                    Duration.ofSeconds(30));
            assertEquals(0, session.awaitExit(Duration.ofSeconds(30)), session.stderr());
        }
    }

    private void replaySignaling(JsonNode testCase) throws Exception {
        String name = testCase.get("name").asText();
        String target = expand(testCase.path("target").asText("/ws/signaling?token={token}"));
        Map<String, String> headers = new HashMap<>();
        testCase.path("headers").fields().forEachRemaining(header -> headers.put(header.getKey(),
                expand(header.getValue().asText())));
        List<JsonNode> expectations = new ArrayList<>();
        if (testCase.get("expect").isArray()) {
            testCase.get("expect").forEach(expectations::add);
        } else {
            expectations.add(testCase.get("expect"));
        }

        try (RawWebSocket socket = RawWebSocket.open(daemon.port(), target, headers)) {
            if (socket.handshakeStatus() == 101) {
                sendSteps(socket, testCase.path("send"));
            }
            Observation observed = observe(socket, expectations);
            assertTrue(observed.matched, () -> name + ": expected one of " + expectations + " but observed "
                    + observed.describe());
        }
    }

    private void sendSteps(RawWebSocket socket, JsonNode steps) throws Exception {
        try {
            for (JsonNode step : steps) {
                if (step.has("text")) {
                    String text = expand(step.get("text").asText());
                    int repeat = step.path("repeat").asInt(1);
                    for (int i = 0; i < repeat && !socket.isClosed(); i++) {
                        socket.sendText(text);
                    }
                } else if (step.has("binary_hex")) {
                    socket.sendFrame(true, 0, RawWebSocket.OPCODE_BINARY, hex(step.get("binary_hex").asText()), true, -1);
                } else if (step.has("binary_size")) {
                    socket.sendFrame(true, 0, RawWebSocket.OPCODE_BINARY, new byte[step.get("binary_size").asInt()], true, -1);
                } else if (step.has("frame")) {
                    JsonNode frame = step.get("frame");
                    byte[] payload = frame.has("payload_hex") ? hex(frame.get("payload_hex").asText())
                            : expand(frame.path("payload").asText("")).getBytes(StandardCharsets.UTF_8);
                    socket.sendFrame(frame.path("fin").asBoolean(true), frame.path("rsv").asInt(0),
                            frame.get("opcode").asInt(), payload, frame.path("masked").asBoolean(true),
                            frame.path("declared_length").asLong(-1));
                } else if (step.has("fragments")) {
                    JsonNode fragments = step.get("fragments");
                    for (int i = 0; i < fragments.size(); i++) {
                        int opcode = i == 0 ? RawWebSocket.OPCODE_TEXT : RawWebSocket.OPCODE_CONTINUATION;
                        socket.sendFrame(i == fragments.size() - 1, 0, opcode,
                                expand(fragments.get(i).asText()).getBytes(StandardCharsets.UTF_8), true, -1);
                        Thread.sleep(step.path("gap_ms").asLong(0));
                    }
                } else if (step.has("slow")) {
                    socket.sendSlowly(expand(step.get("slow").asText()), step.path("chunk").asInt(1),
                            Duration.ofMillis(step.path("pause_ms").asLong(10)));
                } else {
                    throw new IllegalArgumentException("unknown step " + step);
                }
            }
        } catch (IOException closedByHost) {
            // The host may close the socket while frames are still being written; the expectation decides.
        }
    }

    /** What a signaling socket received, and whether it met one of the expectations. */
    private static final class Observation {
        final List<String> errors = new ArrayList<>();
        final List<String> answerFingerprints = new ArrayList<>();
        int status;
        Integer closeCode;
        String closeReason = "";
        boolean matched;

        String describe() {
            return "status " + status + ", close " + closeCode + " '" + closeReason + "', errors " + errors
                    + ", answers with fingerprints " + answerFingerprints;
        }
    }

    private Observation observe(RawWebSocket socket, List<JsonNode> expectations) throws Exception {
        Observation observed = new Observation();
        observed.status = socket.handshakeStatus();
        boolean onlySilence = expectations.stream().allMatch(e -> e.has("silent"));
        long deadline = System.nanoTime() + (onlySilence ? Duration.ofSeconds(1) : REPLY_TIMEOUT).toNanos();
        while (System.nanoTime() < deadline) {
            String text = socket.nextText(Duration.ofMillis(100));
            if (text != null) {
                record(observed, text);
            } else if (socket.isClosed()) {
                observed.closeCode = socket.awaitClose(Duration.ZERO);
                observed.closeReason = socket.closeReason();
            }
            if (!onlySilence && matchesAny(observed, expectations, false)) {
                break;
            }
            if (observed.closeCode != null && socket.nextText(Duration.ZERO) == null) {
                break;
            }
        }
        if (observed.closeCode == null && socket.isClosed()) {
            observed.closeCode = socket.awaitClose(Duration.ZERO);
            observed.closeReason = socket.closeReason();
        }
        for (String fingerprint : observed.answerFingerprints) {
            assertEquals(corpus.fingerprint(), fingerprint, "every answer carries the token's fingerprint");
        }
        observed.matched = matchesAny(observed, expectations, true);
        return observed;
    }

    private static void record(Observation observed, String text) throws IOException {
        JsonNode message = JSON.readTree(text);
        switch (message.path("type").asText()) {
            case "error" -> observed.errors.add(message.path("message").asText());
            case "answer" -> {
                List<String> fingerprints = OfferSdp.sha256Fingerprints(message.path("sdp").asText());
                if (fingerprints.isEmpty()) {
                    observed.answerFingerprints.add("(none)");
                }
                observed.answerFingerprints.addAll(fingerprints);
            }
            default -> {
                // Trickled host candidates.
            }
        }
    }

    private static boolean matchesAny(Observation observed, List<JsonNode> expectations, boolean final_) {
        for (JsonNode expect : expectations) {
            if (expect.has("status") && observed.status == expect.get("status").asInt()) {
                return true;
            }
            if (expect.has("close") && observed.status == 101 && observed.closeCode != null
                    && observed.closeCode == expect.get("close").asInt()) {
                return true;
            }
            if (expect.has("error") && observed.errors.stream().anyMatch(e -> e.contains(expect.get("error").asText()))) {
                return true;
            }
            if (expect.has("answer") && !observed.answerFingerprints.isEmpty()) {
                return true;
            }
            if (expect.has("silent") && final_ && observed.status == 101 && observed.closeCode == null
                    && observed.errors.isEmpty() && observed.answerFingerprints.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Checks that the corpus device's name and location, as the REST API lists them, are cut and clean. */
    private static void checkDeviceStrings() throws IOException {
        JsonNode devices = JSON.readTree(daemon.get("/api/devices").body()).get("devices");
        for (JsonNode device : devices) {
            if (!corpus.deviceId().equals(device.path("device_id").asText())) {
                continue;
            }
            String name = device.path("device_name").asText();
            String location = device.path("last_location").asText("");
            assertTrue(name.codePointCount(0, name.length()) <= 64, "device name length " + name.length());
            assertTrue(location.codePointCount(0, location.length()) <= 128, "location length " + location.length());
            for (String value : List.of(name, location)) {
                assertTrue(value.codePoints().noneMatch(Character::isISOControl), "control character in " + value);
                assertTrue(value.indexOf('\u202E') < 0, "right-to-left override in " + value);
            }
            return;
        }
        fail("device " + corpus.deviceId() + " not listed: " + devices);
    }

    private record Response(int status, String body) {
    }

    private static Response sendWithCurl(JsonNode testCase) throws IOException {
        boolean fromNamespace = "namespace".equals(testCase.path("source").asText());
        boolean tunnel = "tunnel".equals(testCase.path("port").asText());
        String host = fromNamespace ? namespace.hostAddress() : "127.0.0.1";
        int port = tunnel ? tunnelPort : daemon.port();
        Path body = Files.createTempFile("hostile-body-", ".out");
        Path upload = null;
        try {
            List<String> curl = new ArrayList<>(List.of("curl", "-s", "-S", "--path-as-is", "--max-time", "15",
                    "-o", body.toString(), "-w", "%{http_code}", "-X", testCase.get("method").asText()));
            Iterator<Map.Entry<String, JsonNode>> headers = testCase.path("headers").fields();
            while (headers.hasNext()) {
                Map.Entry<String, JsonNode> header = headers.next();
                curl.add("-H");
                curl.add(header.getKey() + ": " + expand(header.getValue().asText()));
            }
            for (int i = 0; i < testCase.path("header_count").asInt(0); i++) {
                curl.add("-H");
                curl.add("X-Header-" + i + ": " + i);
            }
            if (testCase.has("body_bytes")) {
                upload = Files.createTempFile("hostile-upload-", ".bin");
                Files.write(upload, new byte[testCase.get("body_bytes").asInt()]);
                curl.add("--data-binary");
                curl.add("@" + upload);
            }
            curl.add("http://" + host + ":" + port + expand(testCase.get("target").asText()));
            List<String> command = fromNamespace ? namespace.command(curl.toArray(String[]::new)) : curl;
            ExternalCommand.Result result = ExternalCommand.run(Duration.ofSeconds(30), command);
            String status = result.stdout().strip();
            if (!status.matches("\\d{3}") || status.equals("000")) {
                fail("curl failed for " + testCase.get("name").asText() + ": " + result.stderr() + " " + status);
            }
            return new Response(Integer.parseInt(status), Files.readString(body, StandardCharsets.ISO_8859_1));
        } finally {
            Files.deleteIfExists(body);
            if (upload != null) {
                Files.deleteIfExists(upload);
            }
        }
    }

    private static Response sendRaw(JsonNode testCase) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", daemon.port()), 5000);
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(expand(testCase.get("raw").asText()).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readNBytes(64 * 1024), StandardCharsets.ISO_8859_1);
            Matcher status = Pattern.compile("^HTTP/1\\.[01] (\\d{3})").matcher(response);
            if (!status.find()) {
                return new Response(-1, response);
            }
            return new Response(Integer.parseInt(status.group(1)), response);
        } catch (java.net.SocketTimeoutException e) {
            return new Response(-2, "(no complete response within 15 s)");
        }
    }

    private static String expand(String text) {
        Map<String, String> values = Map.of(
                "token", corpus.token(),
                "token_pct", HostileCorpus.percentEncodeAll(corpus.token()),
                "token_upper", corpus.token().toUpperCase(Locale.ROOT),
                "token_prefix", corpus.token().substring(0, 8),
                "port", Integer.toString(daemon.port()));
        return HostileCorpus.expand(text, values, offer);
    }

    private static Pairing pair(String deviceId) {
        JsonNode payload = PairingQr.decodePayload(SecurityChecks.pairPng(daemon, "device_id=" + deviceId));
        return new Pairing(deviceId, payload.get("t").asText(), payload.get("d").asText());
    }

    /** Returns the port of the daemon's second listener, the loopback one a tunnel forwards to. */
    private static int tunnelPort() {
        String sockets = ExternalCommand.runOrFail("ss", List.of("ss", "-Hltnp"));
        Matcher listener = Pattern.compile("(?:\\[::ffff:)?127\\.0\\.0\\.1\\]?:(\\d+)\\s.*pid=" + daemon.pid() + ",").matcher(sockets);
        while (listener.find()) {
            int port = Integer.parseInt(listener.group(1));
            if (port != daemon.port()) {
                return port;
            }
        }
        throw new IllegalStateException("no loopback listener of the daemon besides port " + daemon.port() + ":\n" + sockets);
    }

    private static byte[] hex(String text) {
        byte[] bytes = new byte[text.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(text.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }

    private static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
