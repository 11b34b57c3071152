package io.contop.host.itests.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contop.host.itests.phone.PhoneOptions;
import io.contop.host.itests.support.DaemonProcess;
import io.contop.host.itests.support.ExternalCommand;
import io.contop.host.itests.support.NetworkNamespace;
import io.contop.host.itests.support.PairingQr;
import io.contop.host.itests.support.PhoneProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local console at {@code /console/}: driven in headless Chromium on loopback, it pairs a temp
 * device whose Java phone connects from a network namespace, lists it, and revokes it through the
 * button and the confirmation dialog. Also checks that the console and the REST API refuse
 * clients that are not on this machine, and that its tunnel button shows progress until a fake
 * cloudflared reports its URL. Screenshots go to {@code target/console-it/}.
 */
class ConsoleIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ARTIFACTS = Path.of("target", "console-it");
    /** A location with markup, which the console must show as text. */
    private static final String HOSTILE_LOCATION = "<img src=x onerror=\"document.title='pwned'\"> Testville";
    private static final String DEVICE_NAME = "Console test phone";
    private static final String TUNNEL_URL = "https://console-it-test.trycloudflare.com";
    private static DaemonProcess daemon;
    private static NetworkNamespace namespace;
    private static Path fakeCloudflared;

    @BeforeAll
    static void start() throws IOException {
        fakeCloudflared = writeFakeCloudflared();
        daemon = DaemonProcess.start(Map.of(), Map.of("io.contop.host.path.tunnel.cfg",
                "binary=" + fakeCloudflared + "\nstart.timeout.seconds=20\n"));
        namespace = new NetworkNamespace();
    }

    @AfterAll
    static void stop() throws IOException {
        if (namespace != null) {
            namespace.close();
        }
        if (daemon != null) {
            // SIGTERM first: the daemon then stops the fake cloudflared, which SIGKILL would leave running.
            daemon.stop();
            daemon.close();
        }
        if (fakeCloudflared != null) {
            Files.deleteIfExists(fakeCloudflared);
            Files.deleteIfExists(fakeCloudflared.resolveSibling("argv"));
            Files.deleteIfExists(fakeCloudflared.getParent());
        }
    }

    /**
     * Writes a fake cloudflared that records its arguments in {@code argv} next to itself and
     * prints, after two seconds, the box with a quick tunnel URL the way cloudflared logs it, then
     * stays up. It opens no connection.
     */
    private static Path writeFakeCloudflared() throws IOException {
        Path directory = Files.createTempDirectory("contop-console-fake-");
        Path script = directory.resolve("cloudflared");
        String border = "+" + "-".repeat(60) + "+";
        String urlRow = "|  " + TUNNEL_URL + " ".repeat(56 - TUNNEL_URL.length()) + "  |";
        Files.writeString(script, String.join("\n",
                "#!/bin/sh",
                "printf '%s\\n' \"$@\" > '" + directory.resolve("argv") + "'",
                "sleep 2",
                "echo '2025-03-14T09:26:55Z INF " + border + "' >&2",
                "echo '2025-03-14T09:26:55Z INF " + urlRow + "' >&2",
                "echo '2025-03-14T09:26:55Z INF " + border + "' >&2",
                "exec sleep 300",
                ""));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void consoleAndApiRejectOtherAddresses() {
        String base = "http://" + namespace.hostAddress() + ":" + daemon.port();
        assertEquals("200", curlInNamespace(base + "/health"), "the namespace cannot reach the daemon at all");
        assertEquals("403", curlInNamespace(base + "/console/"));
        assertEquals("403", curlInNamespace(base + "/console/console.js"));
        assertEquals("403", curlInNamespace(base + "/api/devices"));
        assertEquals("403", curlInNamespace(base + "/api/qr-image"));
    }

    @Test
    void consoleRejectsForeignHostAndOrigin() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI console = URI.create(daemon.baseUrl() + "/console/");
        HttpResponse<String> local = http.send(HttpRequest.newBuilder(console).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, local.statusCode());
        assertTrue(local.headers().firstValue("content-security-policy").orElse("").contains("script-src 'self'"));

        // A page of another site reaches 127.0.0.1 only through the browser, which then sends its own
        // origin, or (after DNS rebinding) its own host name.
        assertEquals("HTTP/1.1 403 Forbidden", statusLineWithHost("/api/devices", "rebinding.example:" + daemon.port()));
        assertEquals("HTTP/1.1 403 Forbidden", statusLineWithHost("/console/", "rebinding.example"));
        assertEquals("HTTP/1.1 200 OK", statusLineWithHost("/console/", "localhost:" + daemon.port()));
        int devicesBefore = JSON.readTree(daemon.get("/api/devices").body()).path("devices").size();
        HttpResponse<String> crossSite = http.send(HttpRequest.newBuilder(URI.create(daemon.baseUrl()
                + "/api/pair?connection_type=temp")).header("Origin", "https://attacker.example")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, crossSite.statusCode());
        assertEquals(devicesBefore, JSON.readTree(daemon.get("/api/devices").body()).path("devices").size(),
                "the cross-site request created a pairing");
    }

    @Test
    void consolePairsListsAndRevokesDevice() throws Exception {
        Files.createDirectories(ARTIFACTS);
        try (HeadlessChromium browser = HeadlessChromium.start(1280, 1000)) {
            browser.navigate(daemon.baseUrl() + "/console/");
            browser.awaitTrue("the console reaching the host",
                    "document.getElementById('host-status')?.textContent === 'Host running'", Duration.ofSeconds(20),
                    "document.body ? document.body.innerText.slice(0, 500) : document.readyState");

            browser.evaluate("document.getElementById('pair-temp').click()");
            browser.awaitTrue("the QR code of the temp pairing", """
                    (() => { const image = document.getElementById('qr-image');
                      return !image.hidden && image.complete && image.naturalWidth > 0
                        && document.getElementById('qr-expiry').textContent.startsWith('Expires in '); })()""",
                    Duration.ofSeconds(30), "document.getElementById('pair-error').textContent");
            JsonNode payload = PairingQr.decodePayload(browser.screenshot(boundingBox(browser, "#qr-image")));
            assertEquals("temp", payload.get("c").asText());
            String caption = browser.evaluate("document.getElementById('qr-caption').textContent").asText();
            assertTrue(caption.matches("Temporary pairing for device guest-[0-9a-f]{6}"), caption);

            PhoneOptions options = new PhoneOptions()
                    .signalingUrl("ws://" + namespace.hostAddress() + ":" + payload.get("p").asInt()
                            + "/ws/signaling?token=" + payload.get("t").asText())
                    .fingerprint(payload.get("d").asText())
                    .deviceName(DEVICE_NAME)
                    .deviceLocation(HOSTILE_LOCATION)
                    .stay(Duration.ofSeconds(90));
            try (PhoneProcess phone = PhoneProcess.start(namespace, options)) {
                phone.awaitEvent("channel_open", event -> "contop".equals(event.path("label").asText()),
                        Duration.ofSeconds(30));
                long connectedNanos = System.nanoTime();
                browser.awaitTrue("the phone listed as connected", rowCondition("row.querySelector('.connected')"
                        + ".textContent === 'connected'"), Duration.ofSeconds(6), "document.getElementById('device-rows')"
                        + ".innerText");
                assertTrue(System.nanoTime() - connectedNanos < Duration.ofSeconds(6).toNanos());

                assertEquals(HOSTILE_LOCATION, browser.evaluate(rowExpression(
                        "row.querySelector('.location').textContent")).asText());
                assertEquals(0, browser.evaluate("document.querySelectorAll('#device-rows img').length").asInt(),
                        "markup in a device location became an element");
                assertFalse(browser.evaluate("document.title").asText().contains("pwned"));
                browser.awaitTrue("the connected event", "[...document.querySelectorAll('#events li')].some(item =>"
                        + " item.textContent.includes('connected') && item.textContent.includes('" + DEVICE_NAME + "'))",
                        Duration.ofSeconds(6), "document.getElementById('events').innerText");
                Files.write(ARTIFACTS.resolve("console-connected.png"), browser.screenshot(null));

                browser.evaluate(rowExpression("row.querySelector('button.revoke').click()"));
                browser.awaitTrue("the confirmation dialog", "document.getElementById('revoke-dialog').open",
                        Duration.ofSeconds(5), "document.getElementById('revoke-dialog').outerHTML");
                assertEquals(DEVICE_NAME, browser.evaluate("document.getElementById('revoke-name').textContent").asText());
                Files.write(ARTIFACTS.resolve("console-confirm-revoke.png"), browser.screenshot(null));
                browser.evaluate("document.getElementById('revoke-confirm').click()");

                JsonNode done = phone.awaitEvent("done", Duration.ofSeconds(20));
                assertTrue(done.get("closed_by_host").asBoolean(), done.toString());
            }
            browser.awaitTrue("the revoked device gone from the list", "!" + rowCondition("true"),
                    Duration.ofSeconds(6), "document.getElementById('device-rows').innerText");
            browser.awaitTrue("the revoked event", "[...document.querySelectorAll('#events li')].some(item =>"
                    + " item.textContent.includes('revoked'))", Duration.ofSeconds(6),
                    "document.getElementById('events').innerText");
            browser.awaitTrue("the QR code of the revoked pairing marked invalid",
                    "document.getElementById('qr-image').classList.contains('invalid')", Duration.ofSeconds(6),
                    "document.getElementById('qr-expiry').textContent");
            Files.write(ARTIFACTS.resolve("console-revoked.png"), browser.screenshot(null));
        }
        JsonNode devices = JSON.readTree(daemon.get("/api/devices").body());
        assertFalse(devices.path("devices").toString().contains(DEVICE_NAME), devices.toString());
    }

    @Test
    void consoleStartsTunnelWithProgress() throws Exception {
        Files.createDirectories(ARTIFACTS);
        try (HeadlessChromium browser = HeadlessChromium.start(1280, 1000)) {
            browser.navigate(daemon.baseUrl() + "/console/");
            browser.awaitTrue("the console reaching the host",
                    "document.getElementById('host-status')?.textContent === 'Host running'", Duration.ofSeconds(20),
                    "document.readyState");

            browser.evaluate("document.getElementById('tunnel-start').click()");
            browser.awaitTrue("the progress of the tunnel start", """
                    document.getElementById('tunnel-start').disabled
                      && /^Starting the tunnel… \\d+ s$/.test(document.getElementById('tunnel-progress').textContent)""",
                    Duration.ofSeconds(2), "document.getElementById('tunnel-progress').textContent");
            Files.write(ARTIFACTS.resolve("console-tunnel-starting.png"), browser.screenshot(null));

            browser.awaitTrue("the running tunnel", "document.getElementById('tunnel-progress').textContent"
                    + " === 'Tunnel running: " + TUNNEL_URL + "'", Duration.ofSeconds(30),
                    "document.getElementById('tunnel-progress').textContent");
            browser.awaitTrue("the tunnel among the network paths", "document.getElementById('paths').textContent"
                    + ".includes('console-it-test.trycloudflare.com')", Duration.ofSeconds(6),
                    "document.getElementById('paths').innerText");
            assertFalse(browser.evaluate("document.getElementById('tunnel-start').disabled").asBoolean());
        }

        // The tunnel forwards to the listener named by --url, which must not serve the console.
        List<String> argv = Files.readAllLines(fakeCloudflared.resolveSibling("argv"));
        String origin = argv.get(argv.indexOf("--url") + 1);
        assertTrue(origin.matches("http://127\\.0\\.0\\.1:\\d+"), origin);
        HttpClient http = HttpClient.newHttpClient();
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(origin + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(403, http.send(HttpRequest.newBuilder(URI.create(origin + "/console/")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    /** Returns an expression that is true when the device row of the test phone exists and {@code condition} is true for it. */
    private static String rowCondition(String condition) {
        return rowExpression("row !== undefined && (" + condition + ")");
    }

    /** Returns an expression that evaluates {@code body} with {@code row} bound to the test phone's table row. */
    private static String rowExpression(String body) {
        return "(() => { const row = [...document.querySelectorAll('#device-rows tr')]"
                + ".find(candidate => candidate.dataset.deviceName === '" + DEVICE_NAME + "'); return " + body + "; })()";
    }

    private static JsonNode boundingBox(HeadlessChromium browser, String selector) {
        return browser.evaluate("(() => { const box = document.querySelector('" + selector + "')"
                + ".getBoundingClientRect(); return {x: box.x, y: box.y, width: box.width, height: box.height}; })()");
    }

    /** Sends a GET with the given {@code Host} header, which Java's HTTP client does not let a caller set. */
    private static String statusLineWithHost(String path, String host) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", daemon.port())) {
            socket.setSoTimeout(10_000);
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            BufferedReader response = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            return response.readLine();
        }
    }

    private static String curlInNamespace(String url) {
        return ExternalCommand.runOrFail("curl in " + namespace.name(), namespace.command("curl", "-s", "-o", "/dev/null",
                "-w", "%{http_code}", "--max-time", "5", url));
    }
}
