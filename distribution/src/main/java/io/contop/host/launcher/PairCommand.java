package io.contop.host.launcher;

import io.contop.host.api.QrTerminalText;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code contop-host pair [--temp] [--device-id ID] [--port PORT]}: requests a pairing from the
 * running daemon over its loopback REST API ({@code POST /api/pair/modules}) and draws the QR code in the
 * terminal with the same renderer as the shell's {@code contop:pair}.
 */
final class PairCommand {
    static final String USAGE = String.join("\n",
            "Usage: contop-host pair [--temp] [--device-id ID] [--port PORT]",
            "  --temp          a temporary pairing (4 hours) instead of a permanent one (30 days)",
            "  --device-id ID  the device id; pairing an id again renews its permanent token or replaces a temp one",
            "  --port PORT     the daemon's port; default: port in config/io.contop.host.transport.cfg,",
            "                  else CONTOP_PORT, else 8000");

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern JSON_MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final Path home;
    private final Map<String, String> environment;
    private final PrintStream out;
    private final PrintStream err;

    PairCommand(Path home, Map<String, String> environment, PrintStream out, PrintStream err) {
        this.home = home;
        this.environment = environment;
        this.out = out;
        this.err = err;
    }

    /** Runs the command and returns the exit status: 0 on success, 1 when pairing failed, 2 for a usage error. */
    int run(List<String> arguments) {
        Options options;
        try {
            options = Options.parse(arguments);
        } catch (IllegalArgumentException e) {
            err.println("contop-host pair: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        if (options.help()) {
            out.println(USAGE);
            return 0;
        }
        int port;
        try {
            port = options.port() != null ? parsePort(options.port(), "--port") : defaultPort();
        } catch (IllegalArgumentException e) {
            err.println("contop-host pair: " + e.getMessage());
            return 2;
        }
        return pair(port, options);
    }

    private int pair(int port, Options options) {
        StringBuilder query = new StringBuilder("?connection_type=").append(options.temp() ? "temp" : "permanent");
        if (options.deviceId() != null) {
            query.append("&device_id=").append(URLEncoder.encode(options.deviceId(), StandardCharsets.UTF_8));
        }
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/pair/modules" + query);
        HttpResponse<String> response;
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            response = client.send(HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            err.println("contop-host pair: no daemon answers on 127.0.0.1:" + port
                    + ". Start it with contop-host run, or pass the port it listens on with --port.");
            return 1;
        } catch (IOException e) {
            err.println("contop-host pair: the request to 127.0.0.1:" + port + " failed: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("contop-host pair: interrupted");
            return 1;
        }
        return print(response, port);
    }

    private int print(HttpResponse<String> response, int port) {
        if (response.statusCode() == 404) {
            err.println("contop-host pair: the server on port " + port + " has no /api/pair/modules;"
                    + " is it a Contop Host of this version?");
            return 1;
        }
        if (response.statusCode() != 200) {
            err.println("contop-host pair: pairing failed (HTTP " + response.statusCode() + "): "
                    + errorMessage(response.body()));
            return 1;
        }
        boolean[][] modules;
        Instant expiresAt;
        try {
            modules = QrTerminalText.parseModuleRows(response.body());
            expiresAt = OffsetDateTime.parse(response.headers().firstValue("x-pairing-expires-at").orElseThrow())
                    .toInstant();
        } catch (IllegalArgumentException | DateTimeParseException | java.util.NoSuchElementException e) {
            err.println("contop-host pair: the daemon's answer is not a QR code: " + e.getMessage());
            return 1;
        }
        String type = response.headers().firstValue("x-pairing-connection-type").orElse("permanent");
        boolean colors = QrTerminalText.standardOutputIsTerminal() && environment.get("NO_COLOR") == null;
        out.print(QrTerminalText.halfBlocks(modules, colors));
        out.println(QrTerminalText.expiryLine(type, expiresAt, Instant.now(), ZoneId.systemDefault()));
        out.println("Scan it with the Contop app.");
        out.flush();
        return 0;
    }

    /** Returns the {@code message} of a JSON error body, or the body itself when it has none. */
    static String errorMessage(String body) {
        Matcher matcher = JSON_MESSAGE.matcher(body);
        if (!matcher.find()) {
            return body.isBlank() ? "(no message)" : body.strip();
        }
        return matcher.group(1).replace("\\\"", "\"").replace("\\\\", "\\").replace("\\n", " ");
    }

    /**
     * Returns the port the daemon of this installation listens on, resolved as the daemon does:
     * {@code port} in {@code config/io.contop.host.transport.cfg}, else {@code CONTOP_PORT}, else 8000.
     */
    int defaultPort() {
        Path file = home.resolve("config").resolve("io.contop.host.transport.cfg");
        if (Files.isRegularFile(file)) {
            Properties properties = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                properties.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
            }
            String configured = properties.getProperty("port");
            if (configured != null && !configured.isBlank() && !configured.strip().equals("-1")) {
                return parsePort(configured.strip(), "port in " + file);
            }
        }
        String fromEnvironment = environment.get("CONTOP_PORT");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return parsePort(fromEnvironment.strip(), "CONTOP_PORT");
        }
        return 8000;
    }

    private static int parsePort(String value, String source) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new IllegalArgumentException(source + " must be a port number from 1 to 65535, was \"" + value + "\"");
    }

    /** The parsed command line. */
    record Options(boolean temp, String deviceId, String port, boolean help) {
        static Options parse(List<String> arguments) {
            boolean temp = false;
            String deviceId = null;
            String port = null;
            boolean help = false;
            for (int i = 0; i < arguments.size(); i++) {
                String argument = arguments.get(i);
                String inlineValue = null;
                int equals = argument.indexOf('=');
                if (argument.startsWith("--") && equals > 0) {
                    inlineValue = argument.substring(equals + 1);
                    argument = argument.substring(0, equals);
                }
                switch (argument) {
                    case "--temp", "-t" -> temp = true;
                    case "--help", "-h" -> help = true;
                    case "--device-id", "-d" -> {
                        deviceId = inlineValue != null ? inlineValue : value(arguments, ++i, argument);
                        if (deviceId.isBlank() || deviceId.length() > 128
                                || deviceId.chars().anyMatch(Character::isISOControl)) {
                            throw new IllegalArgumentException(
                                    "--device-id must be 1 to 128 characters without control characters");
                        }
                    }
                    case "--port", "-p" -> port = inlineValue != null ? inlineValue : value(arguments, ++i, argument);
                    default -> throw new IllegalArgumentException("unknown option " + argument);
                }
            }
            return new Options(temp, deviceId, port, help);
        }

        private static String value(List<String> arguments, int index, String option) {
            if (index >= arguments.size()) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return arguments.get(index);
        }
    }
}
