package io.contop.host.itests.webrtc;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine bundle's life cycle in a running daemon: stopped, started and updated through the
 * daemon's Gogo shell with a live session; daemon shutdown with a live session; and a native
 * library that cannot load.
 */
class EngineLifecycleIT {
    private static final String ENGINE_BUNDLE = "io.contop.host.webrtc";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static NetworkNamespace namespace;

    @BeforeAll
    static void createNamespace() {
        namespace = new NetworkNamespace();
    }

    @AfterAll
    static void deleteNamespace() {
        namespace.close();
    }

    @Test
    void engineStopStartUpdateWithLiveSession() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.start(Map.of("CONTOP_SHELL", "stdin"))) {
            try (PhoneProcess live = connect(daemon, "lifecycle-a", Duration.ofSeconds(60))) {
                awaitStateUpdate(live);
                daemon.shell("stop " + bundleId(daemon));
                JsonNode done = live.awaitEvent("done", Duration.ofSeconds(20));
                assertTrue(done.get("closed_by_host").asBoolean(), done.toString());
            }
            awaitLog(daemon, "WebRTC engine stopped; 1 session(s) closed");

            daemon.shell("start " + bundleId(daemon));
            awaitHealthyEngine(daemon);
            try (PhoneProcess after = connect(daemon, "lifecycle-b", Duration.ofSeconds(60))) {
                awaitStateUpdate(after);
                daemon.shell("update " + bundleId(daemon));
                JsonNode done = after.awaitEvent("done", Duration.ofSeconds(20));
                assertTrue(done.get("closed_by_host").asBoolean(), done.toString());
            }

            awaitHealthyEngine(daemon);
            try (PhoneProcess afterUpdate = connect(daemon, "lifecycle-c", Duration.ofSeconds(1))) {
                awaitStateUpdate(afterUpdate);
                assertEquals(0, afterUpdate.awaitExit(Duration.ofSeconds(30)), afterUpdate.stderr());
            }
            assertFalse(daemon.log().contains("UnsatisfiedLinkError"), daemon.log());
        }
    }

    @Test
    void endedSessionsLeaveNoneOpen() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.start()) {
            for (int i = 0; i < 20; i++) {
                try (PhoneProcess phone = connect(daemon, "cycle", Duration.ofMillis(100))) {
                    awaitStateUpdate(phone);
                    JsonNode done = phone.awaitEvent("done", Duration.ofSeconds(30));
                    assertTrue(done.path("closed_after_session_end").asBoolean(), done.toString());
                }
            }

            JsonNode info = awaitNoOpenSessions(daemon);
            assertEquals(0, info.get("open_sessions").asInt(), info.toString());
            assertEquals(0, info.get("connected_clients").asInt(), info.toString());
            assertFalse(daemon.log().contains("SIGSEGV"), daemon.log());

            try (PhoneProcess after = connect(daemon, "cycle", Duration.ofMillis(100))) {
                awaitStateUpdate(after);
                assertEquals(0, after.awaitExit(Duration.ofSeconds(30)), after.stderr());
            }
        }
    }

    @Test
    void shutdownWithLiveSessionExitsZero() throws Exception {
        DaemonProcess daemon = DaemonProcess.start();
        try (PhoneProcess live = connect(daemon, "shutdown", Duration.ofSeconds(60))) {
            awaitStateUpdate(live);
            int status = daemon.stop();

            assertEquals(0, status, daemon.log());
            assertTrue(daemon.log().contains("WebRTC engine stopped; 1 session(s) closed"), daemon.log());
            assertFalse(daemon.log().contains("SIGSEGV"), daemon.log());
            live.awaitEvent("done", Duration.ofSeconds(20));
        } finally {
            daemon.close();
        }
    }

    @Test
    void unloadableNativeLibraryKeepsPairing() throws Exception {
        Path libraries = Files.createTempDirectory("contop-broken-libs-");
        // A file that is not an ELF object in place of PulseAudio's client library, as on a
        // machine where the package is broken: the dynamic linker fails to load webrtc-java.
        Files.writeString(libraries.resolve("libpulse.so.0"), "not a shared object");
        try (DaemonProcess daemon = DaemonProcess.start(Map.of("LD_LIBRARY_PATH", libraries.toString()))) {
            JsonNode health = awaitEngineReport(daemon);
            assertEquals("healthy", health.get("status").asText());
            assertFalse(health.at("/webrtc/available").asBoolean(), health.toString());
            assertTrue(health.at("/webrtc/detail").asText().contains("libpulse"), health.toString());

            assertEquals(200, daemon.post("/api/pair?device_id=no-engine").statusCode());
            assertTrue(daemon.log().contains("WebRTC engine unavailable"), daemon.log());
        }
    }

    private static PhoneProcess connect(DaemonProcess daemon, String deviceId, Duration stay) {
        JsonNode payload = PairingQr.decodePayload(daemon.post("/api/pair?device_id=" + deviceId).body());
        String url = "ws://" + namespace.hostAddress() + ":" + daemon.port() + "/ws/signaling?token="
                + payload.get("t").asText();
        PhoneOptions options = new PhoneOptions().signalingUrl(url).fingerprint(payload.get("d").asText())
                .stay(stay).timeout(Duration.ofSeconds(30));
        return PhoneProcess.start(namespace, options);
    }

    private static void awaitStateUpdate(PhoneProcess phone) {
        phone.awaitEvent("message", event -> "state_update".equals(event.at("/data/type").asText()),
                Duration.ofSeconds(30));
    }

    /** Returns the engine bundle's id, read from the shell's {@code lb} output. */
    private static String bundleId(DaemonProcess daemon) throws Exception {
        int before = daemon.log().length();
        daemon.shell("lb -s " + ENGINE_BUNDLE);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            String output = daemon.log().substring(before);
            java.util.regex.Matcher line = java.util.regex.Pattern
                    .compile("(?m)^\\s*(\\d+)\\|.*\\|" + java.util.regex.Pattern.quote(ENGINE_BUNDLE) + "\\b")
                    .matcher(output);
            if (line.find()) {
                return line.group(1);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no bundle id for " + ENGINE_BUNDLE + " in:\n" + daemon.log().substring(before));
    }

    /** Returns {@code /api/connection-info} once it reports no open session, or the last reply after 10 s. */
    private static JsonNode awaitNoOpenSessions(DaemonProcess daemon) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode info = JSON.readTree(daemon.get("/api/connection-info").body());
        while (info.get("open_sessions").asInt() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            info = JSON.readTree(daemon.get("/api/connection-info").body());
        }
        return info;
    }

    private static void awaitHealthyEngine(DaemonProcess daemon) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode health = JSON.readTree(daemon.get("/health").body());
            if (health.at("/webrtc/available").asBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("engine never became available again:\n" + daemon.log());
    }

    /** Returns {@code /health} once the engine component has reported, whatever it reported. */
    private static JsonNode awaitEngineReport(DaemonProcess daemon) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode health = JSON.readTree(daemon.get("/health").body());
        while (health.at("/webrtc/detail").asText().contains("bundle is not running") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            health = JSON.readTree(daemon.get("/health").body());
        }
        return health;
    }

    private static void awaitLog(DaemonProcess daemon, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!daemon.log().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("log never contained \"" + text + "\":\n" + daemon.log());
            }
            Thread.sleep(50);
        }
    }
}
