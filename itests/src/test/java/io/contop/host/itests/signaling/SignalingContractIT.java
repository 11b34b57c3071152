package io.contop.host.itests.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contop.host.itests.phone.PhoneOptions;
import io.contop.host.itests.support.DaemonProcess;
import io.contop.host.itests.support.NetworkNamespace;
import io.contop.host.itests.support.PairingQr;
import io.contop.host.itests.support.PhoneProcess;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signaling rules and bad input against a running daemon. After each case, a phone in a network
 * namespace still completes a whole session, so no bad input harms the daemon or other sessions.
 */
class SignalingContractIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static DaemonProcess daemon;
    private static NetworkNamespace namespace;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        daemon = DaemonProcess.start();
        namespace = new NetworkNamespace();
        token = pair("signaling-tests").get("t").asText();
    }

    @AfterAll
    static void stop() {
        if (namespace != null) {
            namespace.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    @AfterEach
    void daemonStillServesSessions() {
        JsonNode payload = pair("healthy-check");
        String url = "ws://" + namespace.hostAddress() + ":" + daemon.port() + "/ws/signaling?token="
                + payload.get("t").asText();
        try (PhoneProcess phone = PhoneProcess.start(namespace, new PhoneOptions().signalingUrl(url)
                .fingerprint(payload.get("d").asText()).stay(Duration.ofMillis(200)))) {
            phone.awaitEvent("message", event -> "state_update".equals(event.at("/data/type").asText()),
                    Duration.ofSeconds(30));
            assertEquals(0, phone.awaitExit(Duration.ofSeconds(30)), phone.stderr());
        }
    }

    @Test
    void newSocketReplacesOldWith4002() throws Exception {
        JsonNode payload = pair("back-to-back");
        try (RawSignaling first = RawSignaling.open(daemon.port(), payload.get("t").asText())) {
            first.send("{\"type\":\"device_location\",\"location\":\"Lisbon, Portugal\"}");
            String url = "ws://" + namespace.hostAddress() + ":" + daemon.port() + "/ws/signaling?token="
                    + payload.get("t").asText();
            try (PhoneProcess second = PhoneProcess.start(namespace, new PhoneOptions().signalingUrl(url)
                    .fingerprint(payload.get("d").asText()).stay(Duration.ofMillis(200)))) {
                assertEquals(4002, first.awaitCloseCode(Duration.ofSeconds(10)));
                second.awaitEvent("message", event -> "state_update".equals(event.at("/data/type").asText()),
                        Duration.ofSeconds(30));
                assertEquals(0, second.awaitExit(Duration.ofSeconds(30)), second.stderr());
            }
        }
        assertTrue(new String(daemon.get("/api/devices").body()).contains("Lisbon, Portugal"));
    }

    @Test
    void notJsonGetsErrorAndSocketStays() throws Exception {
        try (RawSignaling socket = RawSignaling.open(daemon.port(), token)) {
            socket.send("this is not json");
            assertTrue(socket.nextError().contains("not valid JSON"));
            socket.send("[1,2,3]");
            assertTrue(socket.nextError().contains("JSON object"));
            socket.send("{\"no_type\":true}");
            assertTrue(socket.nextError().contains("\"type\""));
            socket.send("{\"type\":42}");
            assertTrue(socket.nextError().contains("\"type\""));
            assertFalse(socket.isClosed());
        }
    }

    @Test
    void malformedFieldsGetErrors() throws Exception {
        try (RawSignaling socket = RawSignaling.open(daemon.port(), token)) {
            socket.send("{\"type\":\"offer\"}");
            assertTrue(socket.nextError().contains("sdp"));
            socket.send("{\"type\":\"offer\",\"sdp\":12}");
            assertTrue(socket.nextError().contains("sdp"));
            socket.send("{\"type\":\"offer\",\"sdp\":\"v=0\",\"connection_type\":\"forever\"}");
            assertTrue(socket.nextError().contains("connection_type"));
            socket.send("{\"type\":\"ice_candidate\",\"candidate\":\"candidate:1\"}");
            assertTrue(socket.nextError().contains("candidate"));
            socket.send("{\"type\":\"ice_candidate\",\"candidate\":{\"candidate\":\"candidate:1\",\"sdpMLineIndex\":\"x\"}}");
            assertTrue(socket.nextError().contains("Invalid ICE candidate"));
            socket.send("{\"type\":\"device_location\",\"location\":{\"lat\":1}}");
            assertTrue(socket.nextError().contains("location"));
            assertFalse(socket.isClosed());
        }
    }

    @Test
    void endOfCandidatesAndUnknownTypesIgnored() throws Exception {
        try (RawSignaling socket = RawSignaling.open(daemon.port(), token)) {
            socket.send("{\"type\":\"ice_candidate\",\"candidate\":null}");
            socket.send("{\"type\":\"ice_candidate\",\"candidate\":{\"candidate\":\"\",\"sdpMid\":\"0\"}}");
            socket.send("{\"type\":\"answer\",\"sdp\":\"v=0\"}");
            socket.send("{\"type\":\"something_new\",\"value\":1}");
            assertNull(socket.next(Duration.ofSeconds(1)));
            assertFalse(socket.isClosed());
        }
    }

    @Test
    void binaryFrameGetsError() throws Exception {
        try (RawSignaling socket = RawSignaling.open(daemon.port(), token)) {
            socket.sendBinary(new byte[] {1, 2, 3});
            assertTrue(socket.nextError().contains("Binary frames"));
            assertFalse(socket.isClosed());
        }
    }

    @Test
    void tenKilobyteMessagePassesOneMebibyteCloses() throws Exception {
        try (RawSignaling socket = RawSignaling.open(daemon.port(), token)) {
            socket.send("{\"type\":\"padding\",\"value\":\"" + "x".repeat(10 * 1024) + "\"}");
            assertNull(socket.next(Duration.ofSeconds(1)));
            assertFalse(socket.isClosed());
        }

        OversizedFrame.Close close = OversizedFrame.send(daemon.port(), token, 1024 * 1024);
        assertEquals(1009, close.code(), close.toString());
        assertFalse(close.reason().isBlank(), close.toString());
    }

    @Test
    void floodIsRateLimited() throws Exception {
        try (RawSignaling socket = RawSignaling.open(daemon.port(), token)) {
            for (int i = 0; i < 3000 && !socket.isClosed(); i++) {
                socket.send("{\"type\":\"device_location\",\"location\":\"flood " + i + "\"}");
            }
            assertTrue(socket.nextError().contains("Too many messages"));
        }
        assertTrue(daemon.log().contains("dropped by the rate limit"), daemon.log());
    }

    @Test
    void clientCloseIsAnsweredAtOnce() throws Exception {
        try (RawSignaling socket = RawSignaling.open(daemon.port(), token)) {
            Duration elapsed = socket.closeAndTime();
            assertTrue(elapsed.compareTo(Duration.ofSeconds(2)) < 0, "close took " + elapsed);
        }
    }

    @Test
    void tokenInOtherPositionsIsRefused() throws Exception {
        assertEquals(4001, RawSignaling.open(daemon.port(), "").awaitCloseCode(Duration.ofSeconds(10)));
        assertEquals(4001, RawSignaling.open(daemon.port(), token.toUpperCase()).awaitCloseCode(Duration.ofSeconds(10)));
        assertEquals(4001, RawSignaling.open(daemon.port(), token.substring(0, 8)).awaitCloseCode(Duration.ofSeconds(10)));
    }

    @Test
    void silentSocketClosedAfterIdleTimeout() throws Exception {
        int logOffset = daemon.log().length();
        Files.writeString(daemon.installation().resolve("config").resolve("io.contop.host.transport.cfg"),
                "idle.timeout.seconds=5\n");
        awaitLog("idle timeout 5 s", logOffset);
        try (RawSignaling socket = RawSignaling.open(daemon.port(), token)) {
            int code = socket.awaitCloseCode(Duration.ofSeconds(20));
            assertEquals(1001, code);
        } finally {
            int restoreOffset = daemon.log().length();
            Files.delete(daemon.installation().resolve("config").resolve("io.contop.host.transport.cfg"));
            awaitLog("idle timeout 60 s", restoreOffset);
        }
    }

    private static JsonNode pair(String deviceId) {
        return PairingQr.decodePayload(daemon.post("/api/pair?device_id=" + deviceId).body());
    }

    private static void awaitLog(String text, int from) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!daemon.log().substring(Math.min(from, daemon.log().length())).contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("log never contained \"" + text + "\":\n" + daemon.log());
            }
            Thread.sleep(100);
        }
    }
}
