package io.contop.host.itests.operations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contop.host.itests.support.DaemonProcess;
import io.contop.host.itests.support.ExternalCommand;
import io.contop.host.itests.support.PairingQr;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/contop-host pair} and the {@code contop:} shell commands against a daemon whose Gogo
 * shell reads standard input. Every pairing here is temporary, so the check that no permanent
 * pairing was made at start-up is valid in any test order.
 */
class CommandLineIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration OUTPUT_TIMEOUT = Duration.ofSeconds(20);
    private static DaemonProcess daemon;

    @BeforeAll
    static void startDaemon() {
        // No cloudflared exists at this path, so contop:tunnel fails at once and never reaches the internet.
        daemon = DaemonProcess.start(Map.of("CONTOP_SHELL", "stdin"),
                Map.of("io.contop.host.path.tunnel.cfg", "binary=/nonexistent/cloudflared\n"));
    }

    @AfterAll
    static void stopDaemon() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void pairCommandDrawsDecodableQr() throws Exception {
        ExternalCommand.Result result = runPairCommand(Map.of("CONTOP_PORT", Integer.toString(daemon.port())),
                "pair", "--temp", "--device-id", "cli-phone");
        assertEquals(0, result.exitCode(), result.stderr());

        boolean[][] drawn = DrawnQr.modulesBefore(result.stdout(), "Temporary pairing, expires ");
        HttpResponse<byte[]> png = daemon.get("/api/qr-image");
        assertEquals(200, png.statusCode());
        JsonNode fromPng = PairingQr.decodePayload(png.body());
        JsonNode fromText = JSON.readTree(PairingQr.decodeText(DrawnQr.toPng(drawn, 4)));
        assertEquals(fromPng, fromText);
        assertArrayEquals(DrawnQr.fromDaemonPng(png.body()), drawn);
        assertEquals("temp", fromText.get("c").asText());
        assertEquals(daemon.port(), fromText.get("p").asInt());

        Instant expiresAt = OffsetDateTime.parse(fromText.get("e").asText()).toInstant();
        String localExpiry = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").format(expiresAt.atZone(ZoneId.systemDefault()));
        assertTrue(result.stdout().contains("Temporary pairing, expires " + localExpiry), result.stdout());
        assertTrue(devices().toString().contains("\"device_id\":\"cli-phone\""), devices().toString());
    }

    @Test
    void pairCommandWithoutDaemonFails() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ExternalCommand.Result result = runPairCommand(Map.of(), "pair", "--port", Integer.toString(closedPort));
        assertEquals(1, result.exitCode(), result.stdout());
        assertTrue(result.stderr().contains("no daemon answers on 127.0.0.1:" + closedPort), result.stderr());
    }

    @Test
    void pairCommandRejectsUnknownOption() {
        ExternalCommand.Result result = runPairCommand(Map.of(), "pair", "--colour");
        assertEquals(2, result.exitCode());
        assertTrue(result.stderr().contains("unknown option --colour"), result.stderr());
    }

    @Test
    void shellPairDrawsDecodableQr() throws Exception {
        String output = shell("contop:pair --temp --device-id shell-phone", "Temporary pairing, expires ");

        boolean[][] drawn = DrawnQr.modulesBefore(output, "Temporary pairing, expires ");
        JsonNode fromText = JSON.readTree(PairingQr.decodeText(DrawnQr.toPng(drawn, 4)));
        JsonNode fromPng = PairingQr.decodePayload(daemon.get("/api/qr-image").body());
        assertEquals(fromPng, fromText);
        assertEquals("temp", fromText.get("c").asText());
        assertEquals(DaemonProcess.TEST_GEMINI_KEY, fromText.get("g").asText());
    }

    @Test
    void shellDevicesListsPairing() throws Exception {
        daemon.post("/api/pair?connection_type=temp&device_id=listed-phone");

        String output = shell("contop:devices", "listed-phone");

        assertTrue(output.contains("NAME"), output);
        String row = lineContaining(output, "listed-phone");
        assertTrue(row.matches(".*Device-[0-9A-F]{6}\\s+listed-phone\\s+temp\\s+no\\s+-.*"), row);
    }

    @Test
    void shellRevokeEndsPairing() throws Exception {
        daemon.post("/api/pair?connection_type=temp&device_id=revoked-phone");
        assertTrue(devices().path("devices").toString().contains("revoked-phone"), devices().toString());

        String output = shell("contop:revoke revoked-phone", "its session is closed.");

        assertTrue(lineContaining(output, "its session is closed.").matches(
                ".*Revoked Device-[0-9A-F]{6} \\(temp pairing, token [0-9a-f-]{8}\\.\\.\\.\\); its session is closed\\."),
                output);
        assertFalse(devices().path("devices").toString().contains("revoked-phone"), devices().toString());
        String again = shell("contop:revoke revoked-phone", "No pairing for device revoked-phone");
        assertTrue(again.contains("No pairing for device revoked-phone to revoke."), again);
    }

    @Test
    void shellPathsListsLanPath() throws Exception {
        String output = shell("contop:paths", "Port: " + daemon.port());

        String lan = lineContaining(output, "lan ");
        assertTrue(lan.matches("(g! )?lan\\s+h\\s+\\S+\\s+permanent and temp"), lan);
        assertTrue(output.contains("tunnel"), output);
    }

    @Test
    void shellTunnelReportsFailure() throws Exception {
        String output = shell("contop:tunnel", "The tunnel did not start");

        assertTrue(lineContaining(output, "The tunnel did not start").contains("/nonexistent/cloudflared"), output);
    }

    @Test
    void noStartupQrWithoutTerminal() {
        assertFalse(daemon.log().contains("No phone is paired yet"), daemon.log());
        assertFalse(devices().path("devices").toString().contains("\"connection_type\":\"permanent\""),
                devices().toString());
    }

    @Test
    void logDirectoryIsOwnerOnly() throws IOException {
        Path logs = daemon.dataDirectory().resolve("logs");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(logs)));
        assertTrue(Files.isRegularFile(logs.resolve("contop-host.log")), "no contop-host.log in " + logs);
    }

    /**
     * Sends a command line to the daemon's shell and returns what the daemon printed after it, once
     * that contains {@code expected}.
     */
    private static synchronized String shell(String commandLine, String expected) throws InterruptedException {
        int start = daemon.log().length();
        daemon.shell(commandLine);
        long deadline = System.nanoTime() + OUTPUT_TIMEOUT.toNanos();
        while (true) {
            String output = daemon.log().substring(start);
            if (output.contains(expected)) {
                // The command's output is complete once the shell prints its next prompt.
                if (output.indexOf("g! ", output.indexOf(expected)) >= 0 || System.nanoTime() > deadline) {
                    return output;
                }
            } else if (System.nanoTime() > deadline) {
                throw new AssertionError("\"" + commandLine + "\" printed no \"" + expected + "\" within "
                        + OUTPUT_TIMEOUT + ":\n" + output);
            }
            Thread.sleep(50);
        }
    }

    private static String lineContaining(String text, String part) {
        for (String line : text.split("\r?\n")) {
            if (line.contains(part)) {
                return line;
            }
        }
        throw new AssertionError("no line contains \"" + part + "\" in:\n" + text);
    }

    private static JsonNode devices() {
        try {
            return JSON.readTree(daemon.get("/api/devices").body());
        } catch (IOException e) {
            throw new AssertionError("GET /api/devices returned no JSON", e);
        }
    }

    /** Runs {@code bin/contop-host} of the daemon's installation with a clean environment plus {@code environment}. */
    private static ExternalCommand.Result runPairCommand(Map<String, String> environment, String... arguments) {
        List<String> command = new java.util.ArrayList<>();
        command.add(daemon.installation().resolve("bin").resolve("contop-host").toString());
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().remove("CONTOP_PORT");
        builder.environment().put("HOME", daemon.home().toString());
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            byte[] stdout = process.getInputStream().readAllBytes();
            byte[] stderr = process.getErrorStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("contop-host " + String.join(" ", arguments) + " did not exit within 60 s");
            }
            return new ExternalCommand.Result(command, process.exitValue(), new String(stdout, StandardCharsets.UTF_8),
                    new String(stderr, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
