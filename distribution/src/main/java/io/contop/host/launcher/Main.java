package io.contop.host.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Entry point of {@code bin/contop-host}. Without arguments it runs the daemon in the foreground;
 * {@code pair} requests a pairing from the running daemon and draws its QR code; {@code help}
 * prints the usage.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getProperty("contop.home", ".")).toAbsolutePath().normalize();
        List<String> arguments = List.of(args);
        if (arguments.isEmpty() || arguments.get(0).equals("run")) {
            System.exit(new Daemon(home, dataDirectory()).run());
        }
        if (arguments.get(0).equals("pair")) {
            PairCommand pair = new PairCommand(home, System.getenv(), System.out, System.err);
            System.exit(pair.run(arguments.subList(1, arguments.size())));
        }
        if (arguments.get(0).equals("help") || arguments.get(0).equals("--help") || arguments.get(0).equals("-h")) {
            System.out.println(usage());
            return;
        }
        System.err.println("Unknown command: " + arguments.get(0) + "\n" + usage());
        System.exit(2);
    }

    static Path dataDirectory() throws IOException {
        String configured = System.getProperty("contop.data.dir");
        Path directory = configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".contop");
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        }
        return directory.toAbsolutePath();
    }

    private static String usage() {
        return String.join("\n",
                "Usage: contop-host [run]     run the daemon in the foreground (Ctrl-C or SIGTERM stops it)",
                "       contop-host pair [--temp] [--device-id ID] [--port PORT]",
                "                             request a pairing from the running daemon and draw its QR code",
                "       contop-host help      print this text",
                "",
                "Environment: CONTOP_PORT (default 8000), CONTOP_HOST (default all interfaces),",
                "CONTOP_ICE_SERVERS (comma-separated, empty for none), CONTOP_DATA_DIR (default ~/.contop),",
                "GEMINI_API_KEY, OPENAI_API_KEY, ANTHROPIC_API_KEY, OPENROUTER_API_KEY.");
    }
}
