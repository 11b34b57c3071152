package io.contop.host.itests.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.contop.host.itests.phone.JavaPhone;
import io.contop.host.itests.phone.PhoneOptions;
import io.contop.host.itests.support.ChromiumPhone;
import io.contop.host.itests.support.DaemonProcess;
import io.contop.host.itests.support.NetworkNamespace;
import io.contop.host.itests.support.PairingQr;
import io.contop.host.itests.support.PhoneProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A man in the middle on the signaling path ({@link FingerprintRelay}) that swaps the answer's
 * DTLS fingerprint for its own: both phones compare it with the QR's {@code d}, refuse the answer
 * and open no data channel. The same relay passing answers unchanged lets a phone connect, so the
 * refusal comes from the fingerprint and not from the relay.
 */
class FingerprintRelayIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static DaemonProcess daemon;
    private static NetworkNamespace namespace;
    private FingerprintRelay relay;

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

    @BeforeEach
    void startRelay() throws Exception {
        relay = new FingerprintRelay(namespace.hostAddress(), daemon.port());
    }

    @AfterEach
    void stopRelay() throws Exception {
        relay.close();
    }

    @Test
    void javaPhoneRefusesForgedFingerprint() {
        JsonNode payload = pair("relay-java");
        PhoneOptions options = new PhoneOptions().signalingUrl(relay.signalingUrl(payload.get("t").asText()))
                .fingerprint(payload.get("d").asText());

        try (PhoneProcess phone = PhoneProcess.start(namespace, options)) {
            JsonNode answer = phone.awaitEvent("answer", TIMEOUT);
            assertEquals(relay.forgedFingerprint(), answer.get("fingerprint").asText());

            JsonNode match = phone.awaitEvent("fingerprint_match", TIMEOUT);
            assertFalse(match.get("match").asBoolean(), match.toString());
            assertEquals(JavaPhone.EXIT_FINGERPRINT_MISMATCH, phone.awaitExit(TIMEOUT), phone.stderr());
            assertNoChannelOpened(phone.events());
        }
        assertEquals(1, relay.forgedAnswers());
    }

    @Test
    void chromiumRefusesForgedFingerprint() {
        JsonNode payload = pair("relay-chromium");
        PhoneOptions options = new PhoneOptions().signalingUrl(relay.signalingUrl(payload.get("t").asText()))
                .fingerprint(payload.get("d").asText());

        try (ChromiumPhone phone = ChromiumPhone.start(namespace, options)) {
            JsonNode match = phone.awaitReport("fingerprint_match", TIMEOUT);
            assertFalse(match.get("match").asBoolean(), match.toString());
            assertEquals(relay.forgedFingerprint(), match.get("actual").asText());

            JsonNode error = phone.awaitReport("error", TIMEOUT);
            assertTrue(error.get("message").asText().contains("Fingerprint mismatch"), error.toString());
            assertNoChannelOpened(phone.reports());
        }
        assertEquals(1, relay.forgedAnswers());
    }

    @Test
    void unchangedAnswerThroughRelayConnects() {
        relay.forging(false);
        JsonNode payload = pair("relay-honest");
        PhoneOptions options = new PhoneOptions().signalingUrl(relay.signalingUrl(payload.get("t").asText()))
                .fingerprint(payload.get("d").asText()).stay(Duration.ofMillis(200));

        try (PhoneProcess phone = PhoneProcess.start(namespace, options)) {
            JsonNode match = phone.awaitEvent("fingerprint_match", TIMEOUT);
            assertTrue(match.get("match").asBoolean(), match.toString());
            assertNotEquals(relay.forgedFingerprint(), match.get("actual").asText());
            phone.awaitEvent("message", event -> "state_update".equals(event.at("/data/type").asText()), TIMEOUT);
            assertEquals(0, phone.awaitExit(TIMEOUT), phone.stderr());
        }
        assertEquals(0, relay.forgedAnswers());
    }

    private static void assertNoChannelOpened(List<JsonNode> events) {
        assertTrue(events.stream().noneMatch(event -> "channel_open".equals(event.path("event").asText())),
                "a data channel opened despite the forged fingerprint: " + events);
    }

    private static JsonNode pair(String deviceId) {
        return PairingQr.decodePayload(daemon.post("/api/pair?device_id=" + deviceId).body());
    }
}
