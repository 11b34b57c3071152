package io.contop.host.itests.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.contop.host.itests.phone.JavaPhone;
import io.contop.host.itests.phone.PhoneOptions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs {@link JavaPhone} in a namespace against {@link StubHost}, so the phone is checked without the daemon. */
class JavaPhoneStubHostTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private NetworkNamespace namespace;
    private StubHost host;

    @BeforeEach
    void startHost() throws Exception {
        namespace = new NetworkNamespace();
        host = new StubHost(namespace.hostAddress());
    }

    @AfterEach
    void stopHost() throws Exception {
        try (NetworkNamespace closedLast = namespace) {
            host.close();
        }
    }

    @Test
    void sessionRunsToSessionEnd() {
        PhoneOptions options = new PhoneOptions()
                .signalingUrl(host.signalingUrl(StubHost.TOKEN))
                .fingerprint(host.fingerprint())
                .stay(Duration.ofSeconds(1));

        try (PhoneProcess phone = PhoneProcess.start(namespace, options)) {
            phone.awaitEvent("signaling_open", TIMEOUT);
            JsonNode match = phone.awaitEvent("fingerprint_match", TIMEOUT);
            assertTrue(match.path("match").asBoolean(), match.toString());
            phone.awaitEvent("channel_open", e -> e.path("label").asText().equals("contop"), TIMEOUT);
            phone.awaitEvent("channel_open", e -> e.path("label").asText().equals("contop-fast"), TIMEOUT);

            JsonNode stateUpdate = phone.awaitEvent("message",
                    e -> e.path("data").path("type").asText().equals("state_update"), TIMEOUT);
            assertEquals("idle", stateUpdate.path("data").path("payload").path("ai_state").asText());
            JsonNode keepalive = phone.awaitEvent("message",
                    e -> e.path("data").path("type").asText().equals("keepalive"), TIMEOUT);
            phone.awaitEvent("video_frame", TIMEOUT);

            JsonNode done = phone.awaitEvent("done", TIMEOUT);
            assertEquals(JavaPhone.EXIT_OK, phone.awaitExit(TIMEOUT));
            assertFalse(done.path("closed_by_host").asBoolean(), done.toString());
            assertTrue(done.path("closed_after_session_end").asBoolean(), done.toString());
            assertTrue(done.path("video_frames").asInt() > 0, done.toString());

            JsonNode reply = host.awaitMessage("keepalive", TIMEOUT);
            assertEquals(keepalive.path("data").path("id").asText(), reply.path("data").path("id").asText());
            host.awaitMessage("session_end", TIMEOUT);
        }
    }

    @Test
    void fingerprintMismatchIsRefused() {
        String otherFingerprint = host.fingerprint().startsWith("00") ? "11".repeat(32) : "00".repeat(32);
        PhoneOptions options = new PhoneOptions()
                .signalingUrl(host.signalingUrl(StubHost.TOKEN))
                .fingerprint(otherFingerprint);

        try (PhoneProcess phone = PhoneProcess.start(namespace, options)) {
            JsonNode match = phone.awaitEvent("fingerprint_match", TIMEOUT);
            assertFalse(match.path("match").asBoolean(), match.toString());
            JsonNode error = phone.awaitEvent("error", TIMEOUT);
            assertTrue(error.path("message").asText().contains("Fingerprint mismatch"), error.toString());
            assertEquals(JavaPhone.EXIT_FINGERPRINT_MISMATCH, phone.awaitExit(TIMEOUT));
            assertTrue(phone.events().stream().noneMatch(e -> e.path("event").asText().equals("channel_open")),
                    "no data channel may open after a mismatch: " + phone.events());
        }
    }

    @Test
    void unknownTokenIsClosedWith4001() {
        PhoneOptions options = new PhoneOptions()
                .signalingUrl(host.signalingUrl("wrong-token"))
                .fingerprint(host.fingerprint());

        try (PhoneProcess phone = PhoneProcess.start(namespace, options)) {
            JsonNode closed = phone.awaitEvent("signaling_closed", TIMEOUT);
            assertEquals(4001, closed.path("code").asInt(), closed.toString());
            phone.awaitEvent("error", TIMEOUT);
            assertEquals(JavaPhone.EXIT_ERROR, phone.awaitExit(TIMEOUT));
        }
    }
}
