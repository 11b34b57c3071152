package io.contop.host.itests.paths;

import com.fasterxml.jackson.databind.JsonNode;
import io.contop.host.itests.support.DaemonProcess;
import io.contop.host.itests.support.ExternalCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The assembled distribution run inside a network namespace with {@code ip netns exec}, so that
 * its network detection finds only the interfaces a test created there. It listens on port 8000 of
 * the namespace and is reached with {@link NamespaceHttp}, also run inside the namespace.
 *
 * <p>Like {@code DaemonProcess}, it gets a private installation ({@code bin/}, {@code lib/},
 * {@code bundle/} and {@code conf/} linked, {@code config/} copied), a fresh home directory, no
 * ICE servers and a Gemini test key.
 */
final class NamespacedDaemon implements AutoCloseable {
    static final int PORT = 8000;

    private final String namespace;
    private final Path root;
    private final Path installation;
    private final Path logFile;
    private Process process;

    /**
     * Prepares the installation and writes {@code configFiles} (file name to content) into its
     * {@code config/} directory; {@link #start} launches it.
     */
    NamespacedDaemon(String namespace, Path root, Map<String, String> configFiles) throws IOException {
        this.namespace = namespace;
        this.root = root;
        this.installation = root.resolve("contop-host");
        this.logFile = root.resolve("daemon.log");
        Path source = DaemonProcess.distribution();
        Files.createDirectories(installation.resolve("config"));
        Files.createDirectories(installation.resolve("deploy"));
        Files.createDirectories(root.resolve("home"));
        for (String linked : new String[] {"bin", "lib", "bundle", "conf"}) {
            Files.createSymbolicLink(installation.resolve(linked), source.resolve(linked));
        }
        try (Stream<Path> files = Files.list(source.resolve("config"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, installation.resolve("config").resolve(file.getFileName()));
            }
        }
        for (Map.Entry<String, String> file : configFiles.entrySet()) {
            Files.writeString(installation.resolve("config").resolve(file.getKey()), file.getValue());
        }
    }

    /** Starts the daemon inside the namespace with {@code path} as PATH and waits until {@code /health} returns 200. */
    void start(String path) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("ip", "netns", "exec", namespace,
                installation.resolve("bin").resolve("contop-host").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> environment = builder.environment();
        for (String name : new String[] {"GEMINI_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENROUTER_API_KEY",
            "CONTOP_HOST", "CONTOP_DATA_DIR", "CONTOP_PUBLIC_ADDRESS"}) {
            environment.remove(name);
        }
        environment.put("HOME", root.resolve("home").toString());
        environment.put("PATH", path);
        environment.put("CONTOP_PORT", Integer.toString(PORT));
        environment.put("CONTOP_ICE_SERVERS", "");
        environment.put("GEMINI_API_KEY", DaemonProcess.TEST_GEMINI_KEY);
        process = builder.start();

        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The daemon exited with status " + process.exitValue()
                        + " before answering /health. Log:\n" + log());
            }
            if (request("GET", "/health").status() == 200) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("The daemon did not answer /health within 60 s. Log:\n" + log());
    }

    /** Status code and body of a response; status 0 when none arrived. */
    record Response(int status, byte[] body) {
    }

    /** Sends a request to the daemon from inside the namespace. */
    Response request(String method, String path) throws IOException {
        Path body = Files.createTempFile(root, "response-", ".bin");
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", testClasses(),
                NamespaceHttp.class.getName(), method, "http://127.0.0.1:" + PORT + path, body.toString()));
        ExternalCommand.Result result = ExternalCommand.run(Duration.ofSeconds(30), argv);
        try {
            if (!result.succeeded()) {
                return new Response(0, new byte[0]);
            }
            return new Response(Integer.parseInt(result.stdout().strip()), Files.readAllBytes(body));
        } finally {
            Files.deleteIfExists(body);
        }
    }

    /** Creates a permanent pairing and returns its decoded QR payload. */
    JsonNode pairingPayload() throws IOException {
        Response response = request("POST", "/api/pair");
        if (response.status() != 200) {
            throw new AssertionError("POST /api/pair answered " + response.status() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8) + "\nLog:\n" + log());
        }
        return PathTesting.decode(response.body());
    }

    String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the daemon with SIGTERM (SIGKILL after 30 s) and deletes its directory. */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            // Leftovers in the temporary directory are harmless.
        }
    }

    private static String testClasses() {
        try {
            return Path.of(NamespaceHttp.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
