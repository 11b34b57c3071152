package io.contop.host.benchmarks.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One daemon under test: the distribution started as its own process with {@code bin/contop-host},
 * a fresh home directory, a free port, no ICE servers and a Gemini test key.
 *
 * <p>{@link #prepare} lays out the installation without starting it, so that a scenario can seed
 * {@code ~/.contop} or edit {@code config/} first. {@code bin/}, {@code lib/}, {@code bundle/}
 * and {@code conf/} link to the workspace's copy of the distribution; {@code config/} is a private
 * copy. Requests go to 127.0.0.1 only.
 */
public final class BenchDaemon implements AutoCloseable {
    /** The API key the daemon gets, so that pairing has a configured provider. */
    public static final String TEST_GEMINI_KEY = "benchmark-gemini-key-0123456789";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final Path root;
    private final Path home;
    private final Path installation;
    private final Path logFile;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private Process process;
    private long launchNanos;

    private BenchDaemon(Path root, int port) {
        this.root = root;
        this.home = root.resolve("home");
        this.installation = root.resolve("contop-host");
        this.logFile = root.resolve("daemon.log");
        this.port = port;
    }

    /** Lays out a daemon in {@code root} (an empty directory) without starting it. */
    public static BenchDaemon prepare(Path root, Path distribution) throws IOException {
        BenchDaemon daemon = new BenchDaemon(root, freePort());
        Files.createDirectories(daemon.home);
        Files.createDirectories(daemon.installation);
        for (String linked : List.of("bin", "lib", "bundle", "conf")) {
            Files.createSymbolicLink(daemon.installation.resolve(linked), distribution.resolve(linked));
        }
        Path config = Files.createDirectories(daemon.installation.resolve("config"));
        try (Stream<Path> files = Files.list(distribution.resolve("config"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, config.resolve(file.getFileName()));
            }
        }
        Files.createDirectories(daemon.installation.resolve("deploy"));
        return daemon;
    }

    /** Starts the process; {@link #awaitHealthy} then waits for {@code /health}. */
    public void launch() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the daemon is already running");
        }
        ProcessBuilder builder = new ProcessBuilder(installation.resolve("bin").resolve("contop-host").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> environment = builder.environment();
        for (String name : List.of("GEMINI_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENROUTER_API_KEY",
                "CONTOP_HOST", "CONTOP_DATA_DIR", "CONTOP_JAVA_OPTS", "CONTOP_SHELL", "JAVA_TOOL_OPTIONS")) {
            environment.remove(name);
        }
        environment.put("HOME", home.toString());
        environment.put("CONTOP_PORT", Integer.toString(port));
        environment.put("CONTOP_ICE_SERVERS", "");
        environment.put("GEMINI_API_KEY", TEST_GEMINI_KEY);
        launchNanos = System.nanoTime();
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + builder.command(), e);
        }
    }

    /**
     * Polls {@code /health} every 5 ms until it returns 200.
     *
     * @return the time from {@link #launch} to the first 200
     * @throws IllegalStateException when the process exits first or {@code timeout} passes
     */
    public Duration awaitHealthy(Duration timeout) {
        long deadline = launchNanos + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The daemon exited with status " + process.exitValue()
                        + " before /health returned 200. Log:\n" + logTail());
            }
            if (healthAnswers200()) {
                return Duration.ofNanos(System.nanoTime() - launchNanos);
            }
            sleepMillis(5);
        }
        throw new IllegalStateException("/health did not return 200 within " + timeout + ". Log:\n" + logTail());
    }

    /** Sends one {@code GET /health} on a new connection; false while nothing listens yet. */
    private boolean healthAnswers200() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] statusLine = in.readNBytes("HTTP/1.1 200".length());
            return new String(statusLine, StandardCharsets.US_ASCII).equals("HTTP/1.1 200");
        } catch (IOException notYet) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public Path home() {
        return home;
    }

    /** Returns {@code ~/.contop} of the daemon's home. */
    public Path dataDirectory() {
        return home.resolve(".contop");
    }

    /** Returns the daemon's private {@code config/}, which FileInstall watches. */
    public Path configDirectory() {
        return installation.resolve("config");
    }

    public ProcessStats stats() {
        return ProcessStats.read(pid());
    }

    /** Returns true when the daemon's output so far contains {@code text}. */
    public boolean logContains(String text) {
        try {
            return Files.exists(logFile) && Files.readString(logFile, StandardCharsets.UTF_8).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    /** Returns the last 4,000 characters of everything the daemon printed. */
    public String logTail() {
        try {
            String log = Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
            return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    public HttpResponse<byte[]> post(String path) {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    public HttpResponse<byte[]> delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    public HttpResponse<byte[]> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    /** Returns {@code GET /api/connection-info} as JSON. */
    public JsonNode connectionInfo() {
        HttpResponse<byte[]> response = get("/api/connection-info");
        requireStatus(response, 200, "GET /api/connection-info");
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("GET /api/connection-info returned invalid JSON", e);
        }
    }

    /** Throws with the status and body when {@code response} does not have {@code expected} status. */
    public static void requireStatus(HttpResponse<byte[]> response, int expected, String request) {
        if (response.statusCode() != expected) {
            String body = new String(response.body(), StandardCharsets.UTF_8);
            throw new IllegalStateException(request + " returned HTTP " + response.statusCode() + " (expected "
                    + expected + "): " + (body.length() > 300 ? body.substring(0, 300) : body));
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("Request to the daemon on port " + port + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during a request to the daemon", e);
        }
    }

    /** Stops the daemon with SIGTERM, or SIGKILL when it is still running 30 seconds later. */
    public void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the daemon and deletes its directory. */
    @Override
    public void close() {
        stop();
        try {
            Workspace.deleteRecursively(root);
        } catch (IOException e) {
            // A leftover directory in the workspace is deleted with the workspace.
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }
}
