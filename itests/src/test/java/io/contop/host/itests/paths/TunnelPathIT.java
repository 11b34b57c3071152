package io.contop.host.itests.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.contop.host.itests.support.DaemonProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Cloudflare quick tunnel path against a running daemon, with fake cloudflared programs that
 * print what the real one prints. The fake is configured through a {@code .cfg} file in the
 * daemon's {@code config/} directory.
 */
class TunnelPathIT {
    private static final String PID = "io.contop.host.path.tunnel";
    private static final String TUNNEL_HOST = "seasonal-deck-organisms-sf.trycloudflare.com";
    private static final String BOX_TITLE =
            "Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):";
    private static final Duration CONFIG_TIMEOUT = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path directory;

    @Test
    void startedTunnelGoesIntoTempQrOnly() throws Exception {
        Path fake = workingFake(directory.resolve("working"));
        DaemonProcess daemon = DaemonProcess.start(PathTesting.guardedPath(directory.resolve("guards")));
        try {
            useCloudflared(daemon, fake);

            HttpResponse<byte[]> first = daemon.post("/api/tunnel/start");
            assertEquals(200, first.statusCode(), text(first));
            assertEquals("https://" + TUNNEL_HOST, PathTesting.json(first).get("tunnel_url").asText());
            assertFalse(PathTesting.json(first).get("already_running").asBoolean());

            JsonNode second = PathTesting.json(daemon.post("/api/tunnel/start"));
            assertEquals("https://" + TUNNEL_HOST, second.get("tunnel_url").asText());
            assertTrue(second.get("already_running").asBoolean());

            JsonNode temp = PathTesting.payload(daemon, "temp");
            assertEquals("wss://" + TUNNEL_HOST + "/ws/signaling", temp.path("s").asText(), PathTesting.keys(temp));
            JsonNode permanent = PathTesting.payload(daemon, "permanent");
            assertFalse(permanent.has("s"), "permanent QR code carries s: " + PathTesting.keys(permanent));

            JsonNode info = PathTesting.json(daemon.get("/api/connection-info"));
            assertTrue(info.get("tunnel_active").asBoolean(), info.toString());
        } finally {
            stopGracefully(daemon);
        }
    }

    @Test
    void tunnelListenerServesOnlySignalingAndHealth() throws Exception {
        Path fake = workingFake(directory.resolve("working"));
        DaemonProcess daemon = DaemonProcess.start(PathTesting.guardedPath(directory.resolve("guards")));
        try {
            useCloudflared(daemon, fake);
            assertEquals(200, daemon.post("/api/tunnel/start").statusCode());
            String origin = argument(fake.resolveSibling("argv"), "--url");
            assertTrue(origin.matches("http://127\\.0\\.0\\.1:\\d+"), origin);
            assertNotEquals("http://127.0.0.1:" + daemon.port(), origin, "the tunnel must not reach the public listener");

            HttpResponse<String> health = send(HttpRequest.newBuilder(URI.create(origin + "/health")).GET());
            HttpResponse<String> pair = send(HttpRequest.newBuilder(URI.create(origin + "/api/pair"))
                    .POST(HttpRequest.BodyPublishers.noBody()));
            HttpResponse<String> info = send(HttpRequest.newBuilder(URI.create(origin + "/api/connection-info")).GET());

            assertEquals(200, health.statusCode(), health.body());
            assertEquals("healthy", PathTesting.JSON.readTree(health.body()).get("status").asText());
            assertEquals(403, pair.statusCode(), pair.body());
            assertEquals("forbidden", PathTesting.JSON.readTree(pair.body()).get("error").asText());
            assertEquals(403, info.statusCode(), info.body());
        } finally {
            stopGracefully(daemon);
        }
    }

    @Test
    void cloudflaredRunsIsolatedAndStopsWithDaemon() throws Exception {
        Path fake = workingFake(directory.resolve("working"));
        DaemonProcess daemon = DaemonProcess.start(PathTesting.guardedPath(directory.resolve("guards")));
        try {
            useCloudflared(daemon, fake);
            assertEquals(200, daemon.post("/api/tunnel/start").statusCode());

            List<String> argv = Files.readAllLines(fake.resolveSibling("argv"));
            assertEquals("tunnel", argv.get(0), argv.toString());
            assertTrue(argv.contains("--no-autoupdate"), argv.toString());
            Path config = Path.of(argument(fake.resolveSibling("argv"), "--config"));
            String configText = Files.readString(config);
            assertTrue(configText.contains("no-autoupdate: true"), configText);
            assertFalse(configText.contains("tunnel:"), configText);

            List<String> environment = Files.readAllLines(fake.resolveSibling("env"));
            assertFalse(environment.stream().anyMatch(line -> line.startsWith("GEMINI_API_KEY=")),
                    "the provider API key reached cloudflared");
            assertTrue(environment.contains("HOME=" + config.getParent().resolve("home")), environment.toString());

            long pid = PathTesting.awaitPid(fake.resolveSibling("pid"), Duration.ofSeconds(5));
            long child = PathTesting.awaitPid(fake.resolveSibling("child.pid"), Duration.ofSeconds(5));
            assertEquals(0, daemon.stop(), daemon.log());

            PathTesting.awaitGone(pid, Duration.ofSeconds(5), "cloudflared after the daemon stopped");
            PathTesting.awaitGone(child, Duration.ofSeconds(5), "cloudflared's child after the daemon stopped");
            assertFalse(Files.exists(config), "the private configuration directory was left behind");
        } finally {
            stopGracefully(daemon);
        }
    }

    @Test
    void killedDaemonsTunnelIsStoppedByNextDaemon() throws Exception {
        Path fake = workingFake(directory.resolve("working"));
        DaemonProcess killed = DaemonProcess.start(PathTesting.guardedPath(directory.resolve("guards")));
        long pid;
        long child;
        try {
            useCloudflared(killed, fake);
            assertEquals(200, killed.post("/api/tunnel/start").statusCode());
            pid = PathTesting.awaitPid(fake.resolveSibling("pid"), Duration.ofSeconds(5));
            child = PathTesting.awaitPid(fake.resolveSibling("child.pid"), Duration.ofSeconds(5));
            killed.kill();
            assertTrue(PathTesting.isAlive(pid), "cloudflared must outlive a daemon killed with SIGKILL");
        } finally {
            killed.close();
        }

        DaemonProcess next = DaemonProcess.start(PathTesting.guardedPath(directory.resolve("guards")));
        try {
            PathTesting.awaitGone(pid, Duration.ofSeconds(20), "cloudflared of the killed daemon");
            PathTesting.awaitGone(child, Duration.ofSeconds(5), "the child of the killed daemon's cloudflared");
            assertTrue(next.log().contains("left behind by daemon pid " + killed.pid()), next.log());
        } finally {
            stopGracefully(next);
        }
    }

    @Test
    void rateLimitFailsAtOnceWithReason() throws Exception {
        Path limited = PathTesting.script(directory.resolve("limited").resolve("cloudflared"), printToStderr(List.of(
                "2025-03-14T09:26:53Z INF Requesting new quick Tunnel on trycloudflare.com...",
                "2025-03-14T09:26:54Z ERR Error unmarshaling QuickTunnel response: error code: 1015 "
                        + "error=\"invalid character 'e' looking for beginning of value\" "
                        + "status_code=\"429 Too Many Requests\"",
                "failed to unmarshal quick Tunnel: invalid character 'e' looking for beginning of value"))
                + "exit 1");
        Path working = workingFake(directory.resolve("working"));
        DaemonProcess daemon = DaemonProcess.start(PathTesting.guardedPath(directory.resolve("guards")));
        try {
            useCloudflared(daemon, limited);

            long start = System.nanoTime();
            HttpResponse<byte[]> failed = daemon.post("/api/tunnel/start");
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            System.out.println("POST /api/tunnel/start with a rate-limited cloudflared answered in " + millis + " ms");

            assertEquals(503, failed.statusCode(), text(failed));
            JsonNode error = PathTesting.json(failed);
            assertEquals("tunnel_unavailable", error.get("error").asText());
            assertTrue(error.get("message").asText().contains("429 Too Many Requests"), error.toString());
            assertTrue(millis < 10_000, "a cloudflared that exits must fail the start at once, took " + millis + " ms");
            assertFalse(PathTesting.payload(daemon, "temp").has("s"));

            useCloudflared(daemon, working);
            assertEquals(200, daemon.post("/api/tunnel/start").statusCode());
            long pid = PathTesting.awaitPid(working.resolveSibling("pid"), Duration.ofSeconds(5));

            int logStart = daemon.log().length();
            PathTesting.configure(daemon, PID, "enabled=false");
            PathTesting.awaitLog(daemon, logStart, "Cloudflare tunnel disabled by configuration", CONFIG_TIMEOUT);
            PathTesting.awaitGone(pid, Duration.ofSeconds(10), "cloudflared after the tunnel was disabled");
            assertFalse(PathTesting.payload(daemon, "temp").has("s"));
            HttpResponse<byte[]> disabled = daemon.post("/api/tunnel/start");
            assertEquals(503, disabled.statusCode());
            assertTrue(PathTesting.json(disabled).get("message").asText().contains("disabled"), text(disabled));
        } finally {
            stopGracefully(daemon);
        }
    }

    /**
     * Stops the daemon with SIGTERM, so that it stops cloudflared, and deletes its directories.
     * {@link DaemonProcess#close()} alone would kill it with SIGKILL and leave the fake running.
     */
    private static void stopGracefully(DaemonProcess daemon) {
        try {
            daemon.stop();
        } finally {
            daemon.close();
        }
    }

    /** Points the daemon's tunnel at {@code binary} and waits until the reconfigured path is active. */
    private static void useCloudflared(DaemonProcess daemon, Path binary) throws Exception {
        int logStart = daemon.log().length();
        PathTesting.configure(daemon, PID, "binary=" + binary, "start.timeout.seconds=20");
        PathTesting.awaitLog(daemon, logStart, "(binary " + binary + ",", CONFIG_TIMEOUT);
    }

    /**
     * Writes a fake cloudflared that records its arguments, environment and process id next to
     * itself, starts a child process, logs an error naming the quick tunnel API, then the box with
     * the tunnel URL, and stays up.
     */
    private static Path workingFake(Path fakeDirectory) throws IOException {
        String url = "https://" + TUNNEL_HOST;
        int width = BOX_TITLE.length();
        String border = "+" + "-".repeat(width + 4) + "+";
        List<String> log = List.of(
                "2025-03-14T09:26:53Z INF Thank you for trying Cloudflare Tunnel. Doing so, without a Cloudflare "
                        + "account, is a quick way to experiment and try it out.",
                "2025-03-14T09:26:53Z INF Requesting new quick Tunnel on trycloudflare.com...",
                "2025-03-14T09:26:54Z ERR Failed to request quick Tunnel from https://api.trycloudflare.com/tunnel, "
                        + "retrying error=\"context deadline exceeded\"",
                "2025-03-14T09:26:55Z INF " + border,
                "2025-03-14T09:26:55Z INF |  " + BOX_TITLE + "  |",
                "2025-03-14T09:26:55Z INF |  " + url + " ".repeat(width - url.length()) + "  |",
                "2025-03-14T09:26:55Z INF " + border,
                "2025-03-14T09:26:55Z INF Version 2025.2.1 (Checksum 3f1c0d9e)",
                "2025-03-14T09:26:56Z INF Registered tunnel connection connIndex=0 event=0 ip=198.41.192.107 "
                        + "location=fra08 protocol=quic");
        String record = "printf '%s\\n' \"$@\" > '" + fakeDirectory.resolve("argv") + "'\n"
                + "env > '" + fakeDirectory.resolve("env") + "'\n"
                + "echo $$ > '" + fakeDirectory.resolve("pid") + "'\n";
        // The child starts before the URL is printed, so that stopping the tunnel always finds it.
        return PathTesting.script(fakeDirectory.resolve("cloudflared"), record + "sleep 600 &\necho $! > '"
                + fakeDirectory.resolve("child.pid") + "'\n" + printToStderr(log) + "wait");
    }

    private static String printToStderr(List<String> lines) {
        return "cat >&2 <<'LOG'\n" + String.join("\n", lines) + "\nLOG\n";
    }

    /** Returns the value after {@code flag} in the argument list a fake recorded. */
    private static String argument(Path argvFile, String flag) throws IOException {
        List<String> argv = Files.readAllLines(argvFile);
        int index = argv.indexOf(flag);
        assertTrue(index >= 0, flag + " missing in " + argv);
        assertTrue(index + 1 < argv.size(), "no value after " + flag + " in " + argv);
        return argv.get(index + 1);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
