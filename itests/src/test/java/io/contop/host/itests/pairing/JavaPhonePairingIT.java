package io.contop.host.itests.pairing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contop.host.itests.phone.PhoneOptions;
import io.contop.host.itests.support.DaemonProcess;
import io.contop.host.itests.support.NetworkNamespace;
import io.contop.host.itests.support.PairingQr;
import io.contop.host.itests.support.PhoneProcess;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The walking skeleton end to end: a QR code from {@code POST /api/pair}, then a webrtc-java phone
 * in its own network namespace that checks the DTLS fingerprint, opens both data channels,
 * receives {@code state_update} and ends the session.
 */
class JavaPhonePairingIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static DaemonProcess daemon;
    private static NetworkNamespace namespace;

    @BeforeAll
    static void startDaemon() {
        daemon = DaemonProcess.start();
        namespace = new NetworkNamespace();
    }

    @AfterAll
    static void stopDaemon() {
        if (namespace != null) {
            namespace.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void qrPayloadHasRequiredKeys() {
        HttpResponse<byte[]> response = daemon.post("/api/pair?device_id=qr-keys");
        assertEquals(200, response.statusCode());
        assertEquals("image/png", response.headers().firstValue("content-type").orElse(""));

        JsonNode payload = PairingQr.decodePayload(response.body());
        for (String key : new String[] {"t", "d", "h", "p", "e", "c", "g"}) {
            assertTrue(payload.hasNonNull(key), "missing " + key + " in " + payload.fieldNames());
        }
        assertEquals(response.headers().firstValue("x-pairing-token").orElse(""), payload.get("t").asText());
        assertEquals(response.headers().firstValue("x-pairing-expires-at").orElse(""), payload.get("e").asText());
        assertTrue(payload.get("d").asText().matches("[0-9A-F]{64}"), payload.get("d").asText());
        assertEquals(daemon.port(), payload.get("p").asInt());
        assertTrue(payload.get("p").isNumber());
        assertEquals("permanent", payload.get("c").asText());
        assertEquals(DaemonProcess.TEST_GEMINI_KEY, payload.get("g").asText());
    }

    @Test
    void phoneConnectsWithMatchingFingerprint() throws Exception {
        JsonNode payload = PairingQr.decodePayload(daemon.post("/api/pair?device_id=java-phone").body());
        String token = payload.get("t").asText();
        String signalingUrl = "ws://" + namespace.hostAddress() + ":" + payload.get("p").asInt()
                + "/ws/signaling?token=" + token;

        PhoneOptions options = new PhoneOptions().signalingUrl(signalingUrl).fingerprint(payload.get("d").asText())
                .deviceName("Java test phone").stay(Duration.ofSeconds(1));
        try (PhoneProcess phone = PhoneProcess.start(namespace, options)) {
            JsonNode match = phone.awaitEvent("fingerprint_match", Duration.ofSeconds(30));
            assertTrue(match.get("match").asBoolean(), match.toString());
            phone.awaitEvent("channel_open", event -> "contop".equals(event.path("label").asText()),
                    Duration.ofSeconds(30));
            phone.awaitEvent("channel_open", event -> "contop-fast".equals(event.path("label").asText()),
                    Duration.ofSeconds(30));

            JsonNode message = phone.awaitEvent("message",
                    event -> "state_update".equals(event.at("/data/type").asText()), Duration.ofSeconds(30));
            JsonNode stateUpdate = message.get("data");
            assertEquals("contop", message.get("label").asText());
            assertEquals("permanent", stateUpdate.at("/payload/connection_type").asText());
            assertEquals("idle", stateUpdate.at("/payload/ai_state").asText());
            assertTrue(stateUpdate.path("id").asText().matches("[0-9a-f-]{36}"));

            assertTrue(devices().toString().contains("\"connected\":true"), "device not shown as connected");
            assertEquals(0, phone.awaitExit(Duration.ofSeconds(30)), phone.stderr());
        }

        awaitLog("Session of token " + token.substring(0, 8) + " closed: the phone ended the session");
        JsonNode devices = devices();
        assertFalse(devices.toString().contains("\"connected\":true"), devices.toString());
        assertTrue(devices.toString().contains("Java test phone"), devices.toString());
        assertTrue(devices.toString().contains("\"type\":\"connected\""), devices.toString());
    }

    @Test
    void unknownTokenIsRefusedWith4001() throws Exception {
        int code = SignalingProbe.closeCode("ws://127.0.0.1:" + daemon.port()
                + "/ws/signaling?token=00000000-0000-4000-8000-000000000000");
        assertEquals(4001, code);
        assertEquals(4001, SignalingProbe.closeCode("ws://127.0.0.1:" + daemon.port() + "/ws/signaling"));
    }

    private static JsonNode devices() throws Exception {
        return JSON.readTree(daemon.get("/api/devices").body());
    }

    private static void awaitLog(String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!daemon.log().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("log never contained \"" + text + "\":\n" + daemon.log());
            }
            Thread.sleep(50);
        }
    }
}
