package io.contop.host.itests.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.contop.host.itests.phone.PhoneOptions;
import io.contop.host.itests.support.DaemonProcess;
import io.contop.host.itests.support.NetworkNamespace;
import io.contop.host.itests.support.PairingQr;
import io.contop.host.itests.support.PhoneProcess;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The video source that the daemon picks: the desktop screen when {@code DISPLAY} names a
 * reachable X server (here Xvfb), otherwise the test pattern.
 */
class DesktopCaptureIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int SCREEN_WIDTH = 640;
    private static final int SCREEN_HEIGHT = 480;
    /** The size of the test pattern in the default configuration. */
    private static final int PATTERN_WIDTH = 320;
    private static final int PATTERN_HEIGHT = 240;

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
    void xvfbScreenIsSent() throws Exception {
        try (XvfbDisplay display = XvfbDisplay.start(SCREEN_WIDTH, SCREEN_HEIGHT);
             DaemonProcess daemon = DaemonProcess.start(Map.of("DISPLAY", display.name()))) {
            String chosen = "Video source: desktop capture of display " + display.name() + " (" + SCREEN_WIDTH + "x"
                    + SCREEN_HEIGHT;
            awaitLog(daemon, chosen);

            try (PhoneProcess phone = connect(daemon, "desktop-phone")) {
                JsonNode frame = phone.awaitEvent("video_frame", TIMEOUT);
                assertEquals(SCREEN_WIDTH, frame.get("width").asInt(), frame.toString());
                assertEquals(SCREEN_HEIGHT, frame.get("height").asInt(), frame.toString());
                assertEquals(0, phone.awaitExit(TIMEOUT), phone.stderr());
            }
            awaitLog(daemon, "Capturing display " + display.name() + " (" + SCREEN_WIDTH + "x" + SCREEN_HEIGHT + ")");
            awaitLog(daemon, "Stopped capturing display " + display.name());
            // The daemon stops before Xvfb, because an X server that exits during a capture aborts it.
            assertEquals(0, daemon.stop(), daemon.log());
        }
    }

    @Test
    void displayWithoutServerFallsBackToPattern() throws Exception {
        String display = ":" + XvfbDisplay.unusedNumber();
        try (DaemonProcess daemon = DaemonProcess.start(Map.of("DISPLAY", display))) {
            awaitLog(daemon, "Desktop capture unavailable: cannot connect to /tmp/.X11-unix/X"
                    + display.substring(1));
            awaitLog(daemon, "Video source: test pattern " + PATTERN_WIDTH + "x" + PATTERN_HEIGHT);

            try (PhoneProcess phone = connect(daemon, "pattern-phone")) {
                JsonNode frame = phone.awaitEvent("video_frame", TIMEOUT);
                assertEquals(PATTERN_WIDTH, frame.get("width").asInt(), frame.toString());
                assertEquals(PATTERN_HEIGHT, frame.get("height").asInt(), frame.toString());
                assertEquals(0, phone.awaitExit(TIMEOUT), phone.stderr());
            }
            assertFalse(daemon.log().contains("Video source: desktop capture"), daemon.log());
            assertTrue(daemon.isAlive(), daemon.log());
        }
    }

    @Test
    void displayAppearingTakesOverLiveSession() throws Exception {
        int number = XvfbDisplay.unusedNumber();
        String display = ":" + number;
        try (DaemonProcess daemon = DaemonProcess.start(Map.of("DISPLAY", display),
                Map.of("io.contop.host.video.desktop.cfg", "probe.seconds=1\n"))) {
            awaitLog(daemon, "checking again every 1 s");

            long patternChoices;
            try (PhoneProcess phone = connect(daemon, "switching-phone", Duration.ofSeconds(12))) {
                JsonNode pattern = phone.awaitEvent("video_frame", TIMEOUT);
                assertEquals(PATTERN_WIDTH, pattern.get("width").asInt(), pattern.toString());

                try (XvfbDisplay screen = XvfbDisplay.startOn(number, SCREEN_WIDTH, SCREEN_HEIGHT)) {
                    awaitLog(daemon, "Video source: desktop capture of display " + display);
                    patternChoices = countLines(daemon, "Video source: test pattern");
                    JsonNode desktop = phone.awaitEvent("video_frame",
                            event -> event.get("width").asInt() == SCREEN_WIDTH, TIMEOUT);
                    assertEquals(SCREEN_HEIGHT, desktop.get("height").asInt(), desktop.toString());

                    // The session ends before Xvfb stops, because an X server that exits during a
                    // capture aborts the daemon.
                    assertEquals(0, phone.awaitExit(TIMEOUT), phone.stderr());
                    awaitLog(daemon, "Stopped capturing display " + display);
                }
            }
            // With Xvfb gone the next probe fails, so the test pattern is chosen again.
            awaitLogCount(daemon, "Video source: test pattern", patternChoices + 1);
            assertTrue(daemon.isAlive(), daemon.log());
        }
    }

    private static PhoneProcess connect(DaemonProcess daemon, String deviceId) {
        return connect(daemon, deviceId, Duration.ofSeconds(1));
    }

    private static PhoneProcess connect(DaemonProcess daemon, String deviceId, Duration stay) {
        JsonNode payload = PairingQr.decodePayload(daemon.post("/api/pair?device_id=" + deviceId).body());
        String url = "ws://" + namespace.hostAddress() + ":" + daemon.port() + "/ws/signaling?token="
                + payload.get("t").asText();
        PhoneOptions options = new PhoneOptions().signalingUrl(url).fingerprint(payload.get("d").asText())
                .stay(stay);
        return PhoneProcess.start(namespace, options);
    }

    private static long countLines(DaemonProcess daemon, String text) {
        return daemon.log().lines().filter(line -> line.contains(text)).count();
    }

    private static void awaitLogCount(DaemonProcess daemon, String text, long count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (countLines(daemon, text) < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("log never contained \"" + text + "\" " + count + " times:\n" + daemon.log());
            }
            Thread.sleep(50);
        }
    }

    private static void awaitLog(DaemonProcess daemon, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!daemon.log().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("log never contained \"" + text + "\":\n" + daemon.log());
            }
            Thread.sleep(50);
        }
    }
}
