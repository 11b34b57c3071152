package io.contop.host.itests.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contop.host.itests.phone.PhoneOptions;
import io.contop.host.itests.support.DaemonProcess;
import io.contop.host.itests.support.NetworkNamespace;
import io.contop.host.itests.support.PairingQr;
import io.contop.host.itests.support.PhoneProcess;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signaling details that only a real peer connection proves. The candidate tests use a phone that
 * ignores the host's candidates: ICE then connects only if the host applied the phone's
 * candidates, because neither offer nor answer carries any.
 */
class SignalingWithWebRtcIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
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
    void candidatesBeforeOfferAreQueued() {
        JsonNode payload = pair("early-candidates");
        PhoneOptions options = phone(payload).candidatesBeforeOffer(true).ignoreRemoteCandidates(true);

        assertConnects(options);
    }

    @Test
    void candidateWithNullMidUsesIndex() {
        JsonNode payload = pair("null-mid");
        PhoneOptions options = phone(payload).nullSdpMid(true).ignoreRemoteCandidates(true);

        assertConnects(options);
    }

    @Test
    void tempOfferDowngradesOnlyThatSession() throws Exception {
        JsonNode payload = pair("downgrade");
        assertEquals("permanent", payload.get("c").asText());

        JsonNode downgraded = stateUpdate(phone(payload).connectionType("temp"));
        assertEquals("temp", downgraded.at("/payload/connection_type").asText());

        JsonNode next = stateUpdate(phone(payload));
        assertEquals("permanent", next.at("/payload/connection_type").asText());

        JsonNode status = JSON.readTree(daemon.get("/api/pair/status?device_id=downgrade").body());
        assertEquals("permanent", status.get("connection_type").asText(), status.toString());
    }

    private static void assertConnects(PhoneOptions options) {
        try (PhoneProcess phone = PhoneProcess.start(namespace, options)) {
            phone.awaitEvent("connection_state", event -> "connected".equals(event.path("state").asText()), TIMEOUT);
            phone.awaitEvent("message", event -> "state_update".equals(event.at("/data/type").asText()), TIMEOUT);
            assertEquals(0, phone.awaitExit(TIMEOUT), phone.stderr());
        }
    }

    /** Runs a whole session and returns its {@code state_update} message. */
    private static JsonNode stateUpdate(PhoneOptions options) {
        try (PhoneProcess phone = PhoneProcess.start(namespace, options)) {
            JsonNode message = phone.awaitEvent("message",
                    event -> "state_update".equals(event.at("/data/type").asText()), TIMEOUT);
            assertEquals(0, phone.awaitExit(TIMEOUT), phone.stderr());
            return message.get("data");
        }
    }

    private static PhoneOptions phone(JsonNode payload) {
        String url = "ws://" + namespace.hostAddress() + ":" + daemon.port() + "/ws/signaling?token="
                + payload.get("t").asText();
        return new PhoneOptions().signalingUrl(url).fingerprint(payload.get("d").asText()).stay(Duration.ofMillis(200));
    }

    private static JsonNode pair(String deviceId) {
        return PairingQr.decodePayload(daemon.post("/api/pair?device_id=" + deviceId).body());
    }
}
