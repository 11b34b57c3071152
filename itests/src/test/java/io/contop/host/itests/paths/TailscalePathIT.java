package io.contop.host.itests.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.contop.host.itests.support.DaemonProcess;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Tailscale path against a running daemon, with fake {@code tailscale} programs configured
 * through a {@code .cfg} file in the daemon's {@code config/} directory.
 */
class TailscalePathIT {
    private static final String PID = "io.contop.host.path.tailscale";
    private static final String BUNDLE = "io.contop.host.path.tailscale";
    private static final String ADDRESS = "100.74.70.3";
    private static final Duration QR_TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path directory;

    @Test
    void cliAddressGoesIntoQr() throws Exception {
        Path fake = PathTesting.script(directory.resolve("tailscale"),
                "[ \"$1 $2\" = \"ip -4\" ] || exit 64\nprintf '" + ADDRESS + "\\nfd7a:115c:a1e0::4b01:4a03\\n'");
        try (DaemonProcess daemon = DaemonProcess.start(PathTesting.guardedPath(directory.resolve("guards")))) {
            PathTesting.configure(daemon, PID, "binary=" + fake, "refresh.seconds=1");

            JsonNode payload = PathTesting.awaitPayload(daemon, "permanent",
                    qr -> ADDRESS.equals(qr.path("ts").asText()), QR_TIMEOUT, "ts is " + ADDRESS);

            assertEquals(ADDRESS, payload.get("ts").asText());
            JsonNode info = PathTesting.json(daemon.get("/api/connection-info"));
            assertEquals(ADDRESS, info.get("tailscale_ip").asText());
            assertTrue(info.get("tailscale_available").asBoolean());
        }
    }

    @Test
    void hangingCliNeverDelaysPairing() throws Exception {
        Path pidFile = directory.resolve("hanging.pid");
        Path hanging = PathTesting.script(directory.resolve("hanging").resolve("tailscale"),
                "echo $$ > '" + pidFile + "'\nexec sleep 600");
        try (DaemonProcess daemon = DaemonProcess.start(PathTesting.guardedPath(directory.resolve("guards")))) {
            // A 20 s CLI timeout makes the bound below meaningful, because a pairing that waited
            // for the CLI would take 20 s. The bound is loose since a pairing generates an RSA key.
            PathTesting.configure(daemon, PID, "binary=" + hanging, "timeout.seconds=20", "refresh.seconds=60");
            long cliPid = PathTesting.awaitPid(pidFile, QR_TIMEOUT);

            long start = System.nanoTime();
            HttpResponse<byte[]> pairing = daemon.post("/api/pair");
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            System.out.println("POST /api/pair while 'tailscale ip -4' hangs answered in " + millis + " ms");

            assertEquals(200, pairing.statusCode());
            assertTrue(millis < 15_000, "pairing waited for the hanging CLI: " + millis + " ms");
            assertTrue(PathTesting.isAlive(cliPid), "the CLI was killed before its timeout");
            PathTesting.awaitGone(cliPid, Duration.ofSeconds(25), "the hanging tailscale CLI");
        }
    }

    @Test
    void stoppingBundleOrDisablingRemovesTs() throws Exception {
        Path fake = PathTesting.script(directory.resolve("tailscale"), "echo " + ADDRESS);
        Map<String, String> environment = new HashMap<>(PathTesting.guardedPath(directory.resolve("guards")));
        environment.put("CONTOP_SHELL", "stdin");
        try (DaemonProcess daemon = DaemonProcess.start(environment)) {
            PathTesting.configure(daemon, PID, "binary=" + fake, "refresh.seconds=1");
            PathTesting.awaitPayload(daemon, "permanent", qr -> qr.has("ts"), QR_TIMEOUT, "ts is present");
            String bundleId = bundleId(daemon);

            daemon.shell("stop " + bundleId);
            PathTesting.awaitPayload(daemon, "permanent", qr -> !qr.has("ts"), QR_TIMEOUT,
                    "ts is gone after the bundle stopped");
            JsonNode stopped = PathTesting.json(daemon.get("/api/connection-info"));
            assertFalse(stopped.get("network_paths").has("tailscale"), stopped.toString());

            daemon.shell("start " + bundleId);
            PathTesting.awaitPayload(daemon, "permanent", qr -> ADDRESS.equals(qr.path("ts").asText()), QR_TIMEOUT,
                    "ts is back after the bundle started");

            PathTesting.configure(daemon, PID, "enabled=false", "binary=" + fake);
            PathTesting.awaitPayload(daemon, "permanent", qr -> !qr.has("ts"), QR_TIMEOUT,
                    "ts is gone after enabled=false");
            JsonNode disabled = PathTesting.json(daemon.get("/api/connection-info"));
            assertFalse(disabled.get("tailscale_available").asBoolean(), disabled.toString());
        }
    }

    /** Asks the daemon's Gogo shell for the Tailscale bundle's id. */
    private static String bundleId(DaemonProcess daemon) throws InterruptedException {
        int before = daemon.log().length();
        daemon.shell("lb -s " + BUNDLE);
        Pattern line = Pattern.compile("(?m)^\\s*(\\d+)\\|.*\\|" + Pattern.quote(BUNDLE) + "\\b");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher matcher = line.matcher(daemon.log().substring(before));
            if (matcher.find()) {
                return matcher.group(1);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no bundle id for " + BUNDLE + " in:\n" + daemon.log().substring(before));
    }
}
