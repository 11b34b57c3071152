package io.contop.host.itests.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.contop.host.itests.phone.PhoneOptions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs the Chromium phone page in a namespace against {@link StubHost}, so the page is checked without the daemon. */
class ChromiumPhoneStubHostTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(40);

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
    void sessionDecodesVideo() {
        PhoneOptions options = new PhoneOptions()
                .signalingUrl(host.signalingUrl(StubHost.TOKEN))
                .fingerprint(host.fingerprint())
                .deviceName("Chromium test phone")
                .stay(Duration.ofSeconds(3));

        try (ChromiumPhone phone = ChromiumPhone.start(namespace, options)) {
            JsonNode match = phone.awaitReport("fingerprint_match", TIMEOUT);
            assertTrue(match.path("match").asBoolean(), match.toString());
            phone.awaitReport("channel_open", r -> r.path("label").asText().equals("contop"), TIMEOUT);
            phone.awaitReport("channel_open", r -> r.path("label").asText().equals("contop-fast"), TIMEOUT);
            phone.awaitReport("message", r -> r.path("data").path("type").asText().equals("state_update"), TIMEOUT);
            phone.awaitReport("sent", r -> r.path("data").path("type").asText().equals("keepalive"), TIMEOUT);

            JsonNode done = phone.awaitReport("done", TIMEOUT);
            assertFalse(done.path("closed_by_host").asBoolean(), done.toString());
            assertTrue(done.path("closed_after_session_end").asBoolean(), done.toString());
            assertTrue(done.path("frames_decoded").asInt() > 0, "no video frames decoded: " + done);

            host.awaitMessage("keepalive", TIMEOUT);
            host.awaitMessage("session_end", TIMEOUT);
        }
    }

    @Test
    void fingerprintMismatchIsRefused() {
        String otherFingerprint = host.fingerprint().startsWith("00") ? "11".repeat(32) : "00".repeat(32);
        PhoneOptions options = new PhoneOptions()
                .signalingUrl(host.signalingUrl(StubHost.TOKEN))
                .fingerprint(otherFingerprint);

        try (ChromiumPhone phone = ChromiumPhone.start(namespace, options)) {
            JsonNode match = phone.awaitReport("fingerprint_match", TIMEOUT);
            assertFalse(match.path("match").asBoolean(), match.toString());
            JsonNode error = phone.awaitReport("error", TIMEOUT);
            assertTrue(error.path("message").asText().contains("Fingerprint mismatch"), error.toString());
            assertTrue(phone.reports().stream().noneMatch(r -> r.path("event").asText().equals("channel_open")),
                    "no data channel may open after a mismatch: " + phone.reports());
        }
    }
}
