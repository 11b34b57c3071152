package io.contop.host.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairCommandTest {
    @TempDir
    Path home;

    @Test
    void optionsParseFlagsAndValues() {
        PairCommand.Options options = PairCommand.Options.parse(List.of("--temp", "--device-id", "pixel", "--port=9000"));

        assertTrue(options.temp());
        assertEquals("pixel", options.deviceId());
        assertEquals("9000", options.port());
        assertFalse(options.help());
    }

    @Test
    void optionsRejectUnknownAndMissingValues() {
        assertThrows(IllegalArgumentException.class, () -> PairCommand.Options.parse(List.of("--colour")));
        assertThrows(IllegalArgumentException.class, () -> PairCommand.Options.parse(List.of("--device-id")));
        assertThrows(IllegalArgumentException.class, () -> PairCommand.Options.parse(List.of("--device-id", "a\u0007b")));
    }

    @Test
    void defaultPortPrefersConfigFileOverEnvironment() throws IOException {
        Files.createDirectories(home.resolve("config"));
        Files.writeString(home.resolve("config").resolve("io.contop.host.transport.cfg"), "# comment\nport=9100\n");

        assertEquals(9100, command(Map.of("CONTOP_PORT", "9200")).defaultPort());
    }

    @Test
    void defaultPortFallsBackToEnvironmentThen8000() throws IOException {
        Files.createDirectories(home.resolve("config"));
        Files.writeString(home.resolve("config").resolve("io.contop.host.transport.cfg"), "port=\n");

        assertEquals(9200, command(Map.of("CONTOP_PORT", "9200")).defaultPort());
        assertEquals(8000, command(Map.of()).defaultPort());
    }

    @Test
    void invalidPortIsUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PairCommand command = new PairCommand(home, Map.of(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(2, command.run(List.of("--port", "70000")));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--port must be a port number from 1 to 65535"));
    }

    @Test
    void errorMessageReadsJsonMessage() {
        assertEquals("No AI provider is configured: set \"GEMINI_API_KEY\"", PairCommand.errorMessage(
                "{\"error\":\"configuration_error\",\"message\":\"No AI provider is configured: set \\\"GEMINI_API_KEY\\\"\"}"));
        assertEquals("plain text", PairCommand.errorMessage("plain text\n"));
    }

    private PairCommand command(Map<String, String> environment) {
        return new PairCommand(home, environment, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()));
    }
}
