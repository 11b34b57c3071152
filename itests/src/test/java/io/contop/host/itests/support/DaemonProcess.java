package io.contop.host.itests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The assembled distribution ({@code distribution/target/contop-host}) running as its own process
 * with a fresh home directory, a free port, no ICE servers and a Gemini test key. Its
 * {@code config/} and {@code deploy/} are private copies, so a test may edit them; {@code bin/},
 * {@code lib/} and {@code bundle/} are links to the built distribution.
 */
public final class DaemonProcess implements AutoCloseable {
    /** The API key the daemon gets unless a test sets its own environment. */
    public static final String TEST_GEMINI_KEY = "test-gemini-key-0123456789";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path root;
    private final Path home;
    private final Path installation;
    private final Path logFile;
    private final int port;
    private final Map<String, String> environment;
    private Process process;

    private DaemonProcess(Path root, int port, Map<String, String> environment) {
        this.root = root;
        this.home = root.resolve("home");
        this.installation = root.resolve("contop-host");
        this.logFile = root.resolve("daemon.log");
        this.port = port;
        this.environment = environment;
    }

    /** Starts a daemon with the default test environment and waits until {@code /health} answers. */
    public static DaemonProcess start() {
        return start(Map.of());
    }

    /**
     * Starts a daemon whose environment is the default test environment plus {@code overrides}; an
     * override with a null value (in a map that allows one) removes the variable.
     */
    public static DaemonProcess start(Map<String, String> overrides) {
        return start(overrides, Map.of());
    }

    /**
     * Starts a daemon like {@link #start(Map)}, after writing {@code configFiles} (file name, such
     * as {@code io.contop.host.webrtc.cfg}, to content) into its private {@code config/}, so that
     * FileInstall applies them at start-up.
     */
    public static DaemonProcess start(Map<String, String> overrides, Map<String, String> configFiles) {
        try {
            Path root = Files.createTempDirectory("contop-itest-");
            int port = freePort();
            Map<String, String> environment = new HashMap<>();
            environment.put("CONTOP_PORT", Integer.toString(port));
            environment.put("CONTOP_ICE_SERVERS", "");
            environment.put("GEMINI_API_KEY", TEST_GEMINI_KEY);
            overrides.forEach((name, value) -> {
                if (value == null) {
                    environment.remove(name);
                } else {
                    environment.put(name, value);
                }
            });
            DaemonProcess daemon = new DaemonProcess(root, port, environment);
            daemon.install();
            for (Map.Entry<String, String> file : configFiles.entrySet()) {
                Files.writeString(daemon.installation.resolve("config").resolve(file.getKey()), file.getValue());
            }
            daemon.launch();
            return daemon;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not prepare the daemon's directories", e);
        }
    }

    /** Returns the built distribution, from the {@code contop.distribution} property or the reactor layout. */
    public static Path distribution() {
        String configured = System.getProperty("contop.distribution");
        Path path = configured != null ? Path.of(configured) : Path.of("..", "distribution", "target", "contop-host");
        if (!Files.isExecutable(path.resolve("bin").resolve("contop-host"))) {
            throw new IllegalStateException("No built distribution at " + path.toAbsolutePath()
                    + "; run mvn install from the repository root first");
        }
        return path.toAbsolutePath().normalize();
    }

    private void install() throws IOException {
        Path source = distribution();
        Files.createDirectories(home);
        Files.createDirectories(installation);
        for (String linked : new String[] {"bin", "lib", "bundle", "conf"}) {
            Files.createSymbolicLink(installation.resolve(linked), source.resolve(linked));
        }
        copyDirectory(source.resolve("config"), installation.resolve("config"));
        Files.createDirectories(installation.resolve("deploy"));
    }

    private void launch() {
        ProcessBuilder builder = new ProcessBuilder(installation.resolve("bin").resolve("contop-host").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        if (!"stdin".equals(environment.get("CONTOP_SHELL"))) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Map<String, String> env = builder.environment();
        // The display variables go too, so that a daemon never captures the screen of the session
        // that runs the tests. A test that wants capture passes DISPLAY itself.
        for (String name : new String[] {"GEMINI_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENROUTER_API_KEY",
            "CONTOP_HOST", "CONTOP_DATA_DIR", "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY"}) {
            env.remove(name);
        }
        env.put("HOME", home.toString());
        env.putAll(environment);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + builder.command(), e);
        }
        awaitHealthy(Duration.ofSeconds(60));
    }

    /**
     * Sends one Gogo shell command line to the daemon's standard input. The daemon must have been
     * started with {@code CONTOP_SHELL=stdin} in its environment; the command's output goes to
     * {@link #log()}.
     */
    public void shell(String commandLine) {
        if (!"stdin".equals(environment.get("CONTOP_SHELL"))) {
            throw new IllegalStateException("start the daemon with CONTOP_SHELL=stdin to use its shell");
        }
        try {
            process.getOutputStream().write((commandLine + "\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write to the daemon's shell", e);
        }
    }

    /** Stops the running process with SIGTERM and starts it again with the same home and port. */
    public void restart() {
        stop();
        launch();
    }

    private void awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The daemon exited with status " + process.exitValue()
                        + " before answering /health. Log:\n" + log());
            }
            try {
                if (get("/health").statusCode() == 200) {
                    return;
                }
            } catch (UncheckedIOException notYet) {
                // Not listening yet.
            }
            sleep(100);
        }
        throw new IllegalStateException("The daemon did not answer /health within " + timeout + ". Log:\n" + log());
    }

    public int port() {
        return port;
    }

    public Path home() {
        return home;
    }

    /** Returns {@code ~/.contop} of the daemon's home. */
    public Path dataDirectory() {
        return home.resolve(".contop");
    }

    /** Returns the daemon's private installation directory, with its own {@code config/} and {@code deploy/}. */
    public Path installation() {
        return installation;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Returns everything the daemon printed so far. */
    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    public HttpResponse<byte[]> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public HttpResponse<byte[]> post(String path) {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    public HttpResponse<byte[]> delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    private URI uri(String path) {
        return URI.create(baseUrl() + path);
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    /** Sends SIGTERM and waits for the exit; returns the exit status. */
    public int stop() {
        if (process == null || !process.isAlive()) {
            return process == null ? -1 : process.exitValue();
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("The daemon did not stop within 30 s of SIGTERM. Log:\n" + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.exitValue();
    }

    /** Kills the process with SIGKILL, as a crash would. */
    public void kill() {
        ExternalCommand.run(Duration.ofSeconds(5), java.util.List.of("kill", "-KILL", Long.toString(process.pid())));
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        try {
            if (process != null && process.isAlive()) {
                // SIGTERM first, so the daemon stops the programs it started (such as cloudflared).
                process.destroy();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteRecursively(root);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void copyDirectory(Path source, Path target) throws IOException {
        Files.createDirectories(target);
        if (!Files.isDirectory(source)) {
            return;
        }
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
    }

    private static void deleteRecursively(Path path) {
        try (Stream<Path> files = Files.walk(path)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            // Leftovers in the temporary directory are harmless.
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }
}
