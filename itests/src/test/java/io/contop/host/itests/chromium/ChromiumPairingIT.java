package io.contop.host.itests.chromium;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.contop.host.itests.phone.PhoneOptions;
import io.contop.host.itests.support.ChromiumPhone;
import io.contop.host.itests.support.DaemonProcess;
import io.contop.host.itests.support.NetworkNamespace;
import io.contop.host.itests.support.PairingQr;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reference client end to end: headless Chromium in a network namespace pairs from the QR
 * code, checks the answer's DTLS fingerprint against {@code d}, opens both data channels, gets
 * {@code state_update}, keepalives and decoded video, and ends the session. The daemon sends a
 * keepalive every second here, so that several arrive during a short session.
 */
class ChromiumPairingIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(40);

    private static DaemonProcess daemon;
    private static NetworkNamespace namespace;

    @BeforeAll
    static void startDaemon() throws Exception {
        daemon = DaemonProcess.start(Map.of(), Map.of("io.contop.host.webrtc.cfg", "keepalive.seconds=1\n"));
        // FileInstall may apply the file after the engine first started; that restarts the engine.
        awaitLogLine(line -> line.contains("WebRTC engine loaded") && line.contains("keepalive every 1 s"));
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
    void sessionWithKeepalivesAndVideo() throws Exception {
        JsonNode payload = pair("chromium-phone");
        String token = payload.get("t").asText();
        String fingerprint = payload.get("d").asText();
        PhoneOptions options = new PhoneOptions().signalingUrl(signalingUrl(token)).fingerprint(fingerprint)
                .deviceName("Chromium test phone").stay(Duration.ofSeconds(4));

        try (ChromiumPhone phone = ChromiumPhone.start(namespace, options)) {
            JsonNode answer = phone.awaitReport("answer", TIMEOUT);
            String sdp = answer.get("sdp").asText();
            assertTrue(sdp.contains("a=fingerprint:sha-256 " + withColons(fingerprint)), sdp);
            assertTrue(sdp.contains("UDP/TLS/RTP/SAVPF"), "video must use DTLS-SRTP: " + sdp);
            assertFalse(sdp.contains("a=crypto"), "the answer must not carry SDES keys: " + sdp);
            JsonNode match = phone.awaitReport("fingerprint_match", TIMEOUT);
            assertTrue(match.get("match").asBoolean(), match.toString());

            phone.awaitReport("channel_open", report -> "contop".equals(report.path("label").asText()), TIMEOUT);
            phone.awaitReport("channel_open", report -> "contop-fast".equals(report.path("label").asText()), TIMEOUT);
            JsonNode stateUpdate = phone.awaitReport("message", report -> hasType(report, "state_update"), TIMEOUT)
                    .get("data");
            assertEquals("permanent", stateUpdate.at("/payload/connection_type").asText());
            assertEquals("idle", stateUpdate.at("/payload/ai_state").asText());

            JsonNode keepalive = phone.awaitReport("message", report -> hasType(report, "keepalive"), TIMEOUT);
            assertEquals("contop", keepalive.get("label").asText());
            String keepaliveId = keepalive.at("/data/id").asText();
            phone.awaitReport("sent", report -> hasType(report, "keepalive")
                    && keepaliveId.equals(report.at("/data/id").asText()), TIMEOUT);
            phone.awaitReport("stats", report -> report.path("frames_decoded").asInt() > 0, TIMEOUT);

            JsonNode done = phone.awaitReport("done", TIMEOUT);
            assertFalse(done.get("closed_by_host").asBoolean(), done.toString());
            assertTrue(done.get("closed_after_session_end").asBoolean(), done.toString());
            assertTrue(done.get("frames_decoded").asInt() > 0, done.toString());
        }

        String prefix = token.substring(0, 8);
        awaitLogLine(line -> line.contains("Session of token " + prefix + " closed: the phone ended the session"));
        assertFalse(daemon.log().contains("Session " + prefix + " of Chromium test phone is unresponsive"),
                "keepalives were answered, yet the host reported the session unresponsive:\n" + daemon.log());
    }

    @Test
    void unansweredKeepalivesReportedNotClosed() throws Exception {
        JsonNode payload = pair("chromium-silent");
        String token = payload.get("t").asText();
        PhoneOptions options = new PhoneOptions().signalingUrl(signalingUrl(token))
                .fingerprint(payload.get("d").asText()).deviceName("Silent phone").replyToKeepalive(false)
                .stay(Duration.ofSeconds(8));

        try (ChromiumPhone phone = ChromiumPhone.start(namespace, options)) {
            phone.awaitReport("message", report -> hasType(report, "state_update"), TIMEOUT);
            String prefix = token.substring(0, 8);
            awaitLogLine(line -> line.contains("Session " + prefix + " of Silent phone is unresponsive: 3 keepalives"));

            JsonNode done = phone.awaitReport("done", TIMEOUT);
            assertFalse(done.get("closed_by_host").asBoolean(), "the host closed an unresponsive session: " + done);
            assertTrue(done.get("closed_after_session_end").asBoolean(), done.toString());
            long keepalives = phone.reports().stream()
                    .filter(report -> "message".equals(report.path("event").asText()) && hasType(report, "keepalive"))
                    .count();
            assertTrue(keepalives >= 3, "only " + keepalives + " keepalives arrived");
            assertTrue(phone.reports().stream().noneMatch(report -> "sent".equals(report.path("event").asText())
                    && hasType(report, "keepalive")), "the phone replied to a keepalive");
        }
        // session_end is a message from the phone, so it ends the unresponsive state before the close.
        awaitLogLine(line -> line.contains("Session " + token.substring(0, 8) + " of Silent phone is responsive again"));
    }

    private static boolean hasType(JsonNode report, String type) {
        return type.equals(report.at("/data/type").asText());
    }

    private static JsonNode pair(String deviceId) {
        return PairingQr.decodePayload(daemon.post("/api/pair?device_id=" + deviceId).body());
    }

    private static String signalingUrl(String token) {
        return "ws://" + namespace.hostAddress() + ":" + daemon.port() + "/ws/signaling?token=" + token;
    }

    private static String withColons(String compactFingerprint) {
        return compactFingerprint.replaceAll("(..)(?!$)", "$1:");
    }

    private static void awaitLogLine(Predicate<String> matches) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (daemon.log().lines().noneMatch(matches)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no matching line in the daemon's log:\n" + daemon.log());
            }
            Thread.sleep(50);
        }
    }
}
