package io.contop.host.itests.pairing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.contop.host.itests.support.PairingQr;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's run command, {@code ./contop-host} at the repository root, started as a user would. */
class ReadmeCommandIT {

    @Test
    void runCommandServesPairing() throws Exception {
        Path repository = Path.of(System.getProperty("contop.repository", "..")).toAbsolutePath().normalize();
        Path home = Files.createTempDirectory("contop-readme-");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(repository.resolve("contop-host").toString())
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("out.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("HOME", home.toString());
        builder.environment().put("CONTOP_PORT", Integer.toString(port));
        builder.environment().put("CONTOP_ICE_SERVERS", "");
        builder.environment().put("GEMINI_API_KEY", "readme-test-key");
        Process daemon = builder.start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port;
            awaitHealth(client, base, daemon, home);

            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(base + "/api/pair"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, response.statusCode());
            JsonNode payload = PairingQr.decodePayload(response.body());
            for (String key : new String[] {"t", "d", "h", "p", "e", "c", "g"}) {
                assertTrue(payload.hasNonNull(key), "missing " + key);
            }
            assertEquals("readme-test-key", payload.get("g").asText());
        } finally {
            daemon.destroy();
            assertTrue(daemon.waitFor(30, TimeUnit.SECONDS), "no exit after SIGTERM");
        }
        assertEquals(0, daemon.exitValue(), Files.readString(home.resolve("out.log")));
    }

    private static void awaitHealth(HttpClient client, String base, Process daemon, Path home) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                throw new AssertionError("./contop-host exited: " + Files.readString(home.resolve("out.log")));
            }
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // Still starting.
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no /health within 120 s: " + Files.readString(home.resolve("out.log")));
    }
}
