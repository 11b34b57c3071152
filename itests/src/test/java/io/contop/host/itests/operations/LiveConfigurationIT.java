package io.contop.host.itests.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.contop.host.itests.support.DaemonProcess;
import io.contop.host.itests.support.PairingQr;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Edits files in the running daemon's {@code config/} and checks that each change applies without
 * a restart, and that an invalid value is rejected with a log line naming the setting while the
 * previous configuration stays in force. Each test puts back the files it changed.
 */
class LiveConfigurationIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(20);
    private static final String TRANSPORT = "io.contop.host.transport.cfg";
    private static final String LAN = "io.contop.host.path.lan.cfg";
    private static DaemonProcess daemon;

    @BeforeAll
    static void startDaemon() {
        daemon = DaemonProcess.start();
    }

    @AfterAll
    static void stopDaemon() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void portChangeRebindsListener() throws Exception {
        String original = readConfig(TRANSPORT);
        int newPort = freePort();
        try {
            writeConfig(TRANSPORT, original.replaceFirst("(?m)^port=.*$", "port=" + newPort));
            awaitHealthy(newPort);
            assertThrows(IOException.class, () -> health(daemon.port()), "the old port still answers");

            int logStart = daemon.log().length();
            writeConfig(TRANSPORT, original.replaceFirst("(?m)^port=.*$", "port=not-a-port"));
            String rejection = awaitLog(logStart, "Rejected configuration io.contop.host.transport");
            assertTrue(rejection.contains("port: invalid value for a whole number (was \"not-a-port\")"), rejection);
            awaitHealthy(newPort);
            awaitPairing(newPort);
        } finally {
            writeConfig(TRANSPORT, original);
            awaitHealthy(daemon.port());
            awaitPairing(daemon.port());
        }
    }

    @Test
    void newApiKeyAppearsInNextQr() throws Exception {
        String file = "io.contop.host.credentials.provider-openai.cfg";
        int logStart = daemon.log().length();
        try {
            writeConfig(file, "provider=openai\napi.key=sk-live-config-test-0123\n");
            awaitLog(logStart, "Applied new configuration io.contop.host.credentials.provider~openai");
            JsonNode payload = awaitQr(qr -> qr.has("o"), "a QR code with o");
            assertEquals("sk-live-config-test-0123", payload.get("o").asText());
            assertEquals(DaemonProcess.TEST_GEMINI_KEY, payload.get("g").asText());
        } finally {
            Files.deleteIfExists(configDirectory().resolve(file));
        }
        awaitQr(qr -> !qr.has("o"), "a QR code without o once the file is deleted");
    }

    @Test
    void disabledLanPathEmptiesH() throws Exception {
        String original = readConfig(LAN);
        try {
            int logStart = daemon.log().length();
            writeConfig(LAN, original.replaceFirst("(?m)^address=.*$", "address=192.0.2.55"));
            awaitLog(logStart, "Applied configuration io.contop.host.path.lan");
            awaitQr(qr -> qr.path("h").asText().equals("192.0.2.55"), "a QR code with h=192.0.2.55");

            logStart = daemon.log().length();
            writeConfig(LAN, original.replaceFirst("(?m)^address=.*$", "address=192.0.2.55")
                    .replaceFirst("(?m)^enabled=.*$", "enabled=false"));
            awaitLog(logStart, "Applied configuration io.contop.host.path.lan");
            JsonNode payload = awaitQr(qr -> qr.path("h").asText().isEmpty(), "a QR code with an empty h");
            assertTrue(payload.has("t"), payload.toString());
        } finally {
            writeConfig(LAN, original);
        }
    }

    @Test
    void invalidValuesKeepPreviousConfiguration() throws Exception {
        String original = readConfig(LAN);
        try {
            int logStart = daemon.log().length();
            writeConfig(LAN, original.replaceFirst("(?m)^address=.*$", "address=192.0.2.66"));
            awaitLog(logStart, "Applied configuration io.contop.host.path.lan");

            logStart = daemon.log().length();
            writeConfig(LAN, original.replaceFirst("(?m)^address=.*$", "address=192.0.2.77")
                    .replaceFirst("(?m)^refresh.seconds=.*$", "refresh.seconds=0"));
            String rejection = awaitLog(logStart, "Rejected configuration io.contop.host.path.lan");
            assertTrue(rejection.contains("refresh.seconds: less than minimum (was \"0\")"), rejection);
            assertTrue(rejection.contains("The previous configuration stays in force"), rejection);
            awaitQr(qr -> qr.path("h").asText().equals("192.0.2.66"), "a QR code that keeps h=192.0.2.66");

            logStart = daemon.log().length();
            writeConfig(LAN, original.replaceFirst("(?m)^address=.*$", "address=not-an-address"));
            rejection = awaitLog(logStart, "Rejected configuration io.contop.host.path.lan");
            assertTrue(rejection.contains("address must be an IPv4 address, was \"not-an-address\""), rejection);
            awaitQr(qr -> qr.path("h").asText().equals("192.0.2.66"), "a QR code that keeps h=192.0.2.66");
        } finally {
            writeConfig(LAN, original);
        }
    }

    @Test
    void invalidProviderIsRejected() throws Exception {
        String file = "io.contop.host.credentials.provider-invalid.cfg";
        int logStart = daemon.log().length();
        try {
            writeConfig(file, "provider=nonsense\napi.key=secret-never-logged-4711\n");
            String rejection = awaitLog(logStart, "Rejected configuration io.contop.host.credentials.provider~invalid");
            assertTrue(rejection.contains("provider: not a valid option; valid: gemini, openai, anthropic, openrouter"),
                    rejection);
            JsonNode payload = awaitQr(qr -> qr.has("g"), "a QR code that still has g");
            assertEquals(DaemonProcess.TEST_GEMINI_KEY, payload.get("g").asText());
        } finally {
            Files.deleteIfExists(configDirectory().resolve(file));
        }
        assertFalse(daemon.log().contains("secret-never-logged-4711"), "an API key was logged");
    }

    private static Path configDirectory() {
        return daemon.installation().resolve("config");
    }

    private static String readConfig(String name) throws IOException {
        return Files.readString(configDirectory().resolve(name));
    }

    /** Replaces a config file in one step, so that FileInstall never reads it half written. */
    private static void writeConfig(String name, String content) throws IOException {
        Path temporary = configDirectory().resolve("." + name + ".tmp");
        Files.writeString(temporary, content);
        Files.move(temporary, configDirectory().resolve(name), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** Pairs with a temp token until the decoded QR payload matches, and returns that payload. */
    private static JsonNode awaitQr(Predicate<JsonNode> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + CHANGE_TIMEOUT.toNanos();
        JsonNode last = null;
        String lastError = "none";
        while (System.nanoTime() < deadline) {
            HttpResponse<byte[]> response = daemon.post("/api/pair?connection_type=temp");
            if (response.statusCode() != 200) {
                lastError = response.statusCode() + " " + new String(response.body(), StandardCharsets.UTF_8);
            } else {
                last = PairingQr.decodePayload(response.body());
                if (condition.test(last)) {
                    return last;
                }
            }
            Thread.sleep(300);
        }
        String lastKeys = "none";
        if (last != null) {
            java.util.List<String> keys = new java.util.ArrayList<>();
            last.fieldNames().forEachRemaining(keys::add);
            lastKeys = keys + ", h=" + last.path("h");
        }
        throw new AssertionError("no " + what + " within " + CHANGE_TIMEOUT + "; keys of the last payload: " + lastKeys
                + "; last error: " + lastError + "\n" + daemon.log());
    }

    /** Waits for a log line after {@code offset} that contains {@code text}, and returns that line. */
    private static String awaitLog(int offset, String text) throws InterruptedException {
        long deadline = System.nanoTime() + CHANGE_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String log = daemon.log();
            int index = log.indexOf(text, offset);
            if (index >= 0) {
                int end = log.indexOf('\n', index);
                return log.substring(log.lastIndexOf('\n', index) + 1, end < 0 ? log.length() : end);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no log line with \"" + text + "\" within " + CHANGE_TIMEOUT + ":\n"
                + daemon.log().substring(offset));
    }

    private static void awaitHealthy(int port) throws InterruptedException {
        long deadline = System.nanoTime() + CHANGE_TIMEOUT.toNanos();
        while (true) {
            try {
                if (health(port).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // The listener is closed while the transport applies a configuration.
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nothing answers /health on port " + port + " within " + CHANGE_TIMEOUT
                        + ":\n" + daemon.log());
            }
            Thread.sleep(100);
        }
    }

    /**
     * Waits until {@code POST /api/pair} succeeds on {@code port}. It returns 503 while the pairing
     * service restarts, and nothing listens while the listener restarts after a rejected change.
     */
    private static void awaitPairing(int port) throws Exception {
        long deadline = System.nanoTime() + CHANGE_TIMEOUT.toNanos();
        String failure = tryPairing(port);
        while (failure != null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("POST /api/pair on port " + port + " still fails: " + failure + "\n"
                        + daemon.log());
            }
            Thread.sleep(200);
            failure = tryPairing(port);
        }
    }

    /** Returns null when {@code POST /api/pair} succeeds on {@code port}, else what went wrong. */
    private static String tryPairing(int port) throws InterruptedException {
        try {
            HttpResponse<String> response = post(port, "/api/pair?connection_type=temp");
            return response.statusCode() == 200 ? null : response.statusCode() + " " + response.body();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static HttpResponse<String> health(int port) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
