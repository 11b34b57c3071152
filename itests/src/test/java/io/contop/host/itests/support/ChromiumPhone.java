package io.contop.host.itests.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.contop.host.itests.phone.PhoneOptions;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A headless Chromium inside a {@link NetworkNamespace}, running the scripted phone page
 * {@code phone/phone.html} with the browser's own WebRTC stack.
 *
 * <p>A JDK {@link HttpServer} on the namespace's root-side address serves the page and receives
 * the page's reports, one JSON POST per event, each with {@code "event"} and a sequence number
 * {@code "seq"}:
 * <pre>
 * page_loaded        user_agent
 * signaling_open
 * answer             fingerprint (as in the SDP, or null), sdp (the whole answer)
 * fingerprint_match  match, expected, actual
 * connection_state   state (RTCPeerConnection.connectionState)
 * channel_open       label
 * track              kind
 * message            label, data (parsed JSON, else the text; binary messages only set "binary":true)
 * sent               label, data
 * signaling_message  data (host signaling frames other than answer and ice_candidate)
 * stats              frames_decoded, frame_width, frame_height, bytes_received (every second during the stay)
 * channel_closed     label (closed by the host)
 * signaling_closed   code, reason
 * done               closed_by_host, closed_after_session_end (when session_end was sent), frames_decoded
 * error              message (the last report of a failed run)
 * </pre>
 * The page checks the answer's {@code a=fingerprint:sha-256} against the expected fingerprint
 * itself and refuses to apply a mismatching answer.
 *
 * <p>The browser starts with a fresh profile in a temporary directory, without a sandbox (tests
 * run as root), and with {@code WebRtcHideLocalIpsWithMdns} disabled so that its ICE candidates
 * carry the namespace's address instead of an mDNS {@code .local} name. Thread-safe;
 * {@link #close()} kills the browser, stops the server, deletes the profile and may be called more
 * than once.
 */
public final class ChromiumPhone implements AutoCloseable {

    /** The Chromium launcher this harness runs. */
    public static final String CHROMIUM = "/usr/bin/chromium";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int OUTPUT_LINES_KEPT = 300;
    private static final int MAX_REPORT_BYTES = 1 << 20;

    private final NetworkNamespace namespace;
    private final HttpServer server;
    private final Path profileDirectory;
    private final EventLog reports;
    private final Deque<String> browserOutput = new ArrayDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Process browser;

    private ChromiumPhone(NetworkNamespace namespace) throws IOException {
        this.namespace = namespace;
        this.profileDirectory = Files.createTempDirectory("contop-chromium-");
        this.reports = new EventLog("Chromium phone in " + namespace.name(), this::diagnostics);
        this.server = HttpServer.create(new InetSocketAddress(namespace.hostAddress(), 0), 0);
        server.createContext("/phone.html", this::servePage);
        server.createContext("/report", this::receiveReport);
        server.start();
    }

    /**
     * Serves the page and starts Chromium inside {@code namespace}, pointed at it.
     *
     * @throws IllegalStateException when Chromium is missing, or the server or the browser cannot
     *     be started
     */
    public static ChromiumPhone start(NetworkNamespace namespace, PhoneOptions options) {
        if (!Files.isExecutable(Path.of(CHROMIUM))) {
            throw new IllegalStateException(CHROMIUM + " not found; install it with 'apt-get install -y chromium'");
        }
        ChromiumPhone phone;
        try {
            phone = new ChromiumPhone(namespace);
        } catch (IOException e) {
            throw new IllegalStateException("Failed to start the phone page server on "
                    + namespace.hostAddress() + ": " + e.getMessage(), e);
        }
        try {
            phone.launchBrowser(phone.pageUrl(options));
        } catch (RuntimeException e) {
            phone.close();
            throw e;
        }
        return phone;
    }

    /**
     * Waits for the next unconsumed report named {@code event}, consumes it and returns it.
     *
     * @throws AssertionError on timeout or when the browser exits first. The message lists the
     *     reports received and the end of the browser's output
     */
    public JsonNode awaitReport(String event, Duration timeout) {
        return reports.await(event, report -> true, timeout);
    }

    /** Like {@link #awaitReport(String, Duration)}, for the next report of that name that {@code filter} accepts. */
    public JsonNode awaitReport(String event, Predicate<JsonNode> filter, Duration timeout) {
        return reports.await(event, filter, timeout);
    }

    /** Returns every report received so far, in arrival order. */
    public List<JsonNode> reports() {
        return reports.all();
    }

    /** Returns the last lines (at most 300) of the browser's standard output and error. */
    public String browserOutput() {
        synchronized (browserOutput) {
            return String.join("\n", browserOutput);
        }
    }

    /** Kills the browser and its helper processes, stops the server and deletes the profile. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Process process = browser;
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        killDetachedHelpers();
        server.stop(0);
        deleteRecursively(profileDirectory);
    }

    private String pageUrl(PhoneOptions options) {
        String base = "http://" + namespace.hostAddress() + ":" + server.getAddress().getPort();
        List<String> query = new ArrayList<>();
        addParameter(query, "signaling", Objects.requireNonNull(options.signalingUrl(), "signalingUrl"));
        addParameter(query, "fingerprint", Objects.requireNonNull(options.fingerprint(), "fingerprint"));
        addParameter(query, "report", base + "/report");
        if (options.deviceName() == null) {
            addParameter(query, "no_device_name", "1");
        } else {
            addParameter(query, "device_name", options.deviceName());
        }
        if (options.connectionType() != null) {
            addParameter(query, "connection_type", options.connectionType());
        }
        if (options.deviceLocation() != null) {
            addParameter(query, "device_location", options.deviceLocation());
        }
        for (String message : options.messagesToSend()) {
            addParameter(query, "send", message);
        }
        addParameter(query, "stay_seconds", seconds(options.stay()));
        addParameter(query, "timeout_seconds", seconds(options.timeout()));
        addParameter(query, "session_end", options.sendSessionEnd() ? "1" : "0");
        addParameter(query, "keepalive_reply", options.replyToKeepalive() ? "1" : "0");
        return base + "/phone.html?" + String.join("&", query);
    }

    private void launchBrowser(String url) {
        List<String> command = namespace.command(CHROMIUM,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-features=WebRtcHideLocalIpsWithMdns",
                "--user-data-dir=" + profileDirectory,
                "--autoplay-policy=no-user-gesture-required",
                // Copies the page's console messages to standard error, for failure messages.
                "--enable-logging=stderr",
                url);
        try {
            browser = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("Failed to start Chromium in " + namespace.name() + ": " + e.getMessage(), e);
        }
        Thread reader = new Thread(() -> readOutput(browser.getInputStream()), "chromium-output");
        reader.setDaemon(true);
        reader.start();
        browser.onExit().thenAccept(exited -> reports.end("Chromium exited with status " + exited.exitValue()));
    }

    private void servePage(HttpExchange exchange) throws IOException {
        try (exchange; InputStream page = ChromiumPhone.class.getResourceAsStream("/phone/phone.html")) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            if (page == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = page.readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private void receiveReport(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = exchange.getRequestBody().readNBytes(MAX_REPORT_BYTES + 1);
            if (body.length > MAX_REPORT_BYTES) {
                exchange.sendResponseHeaders(413, -1);
                return;
            }
            try {
                JsonNode report = JSON.readTree(body);
                if (report == null || !report.isObject() || !report.has("event")) {
                    throw new IllegalArgumentException("missing \"event\"");
                }
                reports.add(report);
                exchange.sendResponseHeaders(204, -1);
            } catch (JsonProcessingException | IllegalArgumentException e) {
                recordOutput("[harness] invalid report " + new String(body, StandardCharsets.UTF_8) + ": " + e.getMessage());
                exchange.sendResponseHeaders(400, -1);
            }
        }
    }

    private void readOutput(InputStream stream) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                recordOutput(line);
            }
        } catch (IOException e) {
            recordOutput("[harness] reading Chromium's output failed: " + e);
        }
    }

    private void recordOutput(String line) {
        synchronized (browserOutput) {
            browserOutput.addLast(line);
            if (browserOutput.size() > OUTPUT_LINES_KEPT) {
                browserOutput.removeFirst();
            }
        }
    }

    /**
     * Kills Chromium helpers that detached from the browser process (such as the crash handler)
     * and so are not among its descendants. Only processes inside this namespace whose command
     * line names this phone's profile directory are touched.
     */
    private void killDetachedHelpers() {
        ExternalCommand.Result pids = ExternalCommand.run(Duration.ofSeconds(10), List.of("ip", "netns", "pids", namespace.name()));
        if (!pids.succeeded()) {
            return;
        }
        for (String pid : pids.stdout().split("\\s+")) {
            if (pid.isBlank()) {
                continue;
            }
            ProcessHandle.of(Long.parseLong(pid))
                    .filter(handle -> commandLine(handle).contains(profileDirectory.toString()))
                    .ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static String commandLine(ProcessHandle handle) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(handle.pid()), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private String diagnostics() {
        return "Chromium output (last lines):\n" + browserOutput();
    }

    private static void addParameter(List<String> query, String name, String value) {
        query.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
    }

    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.3f", duration.toMillis() / 1000.0);
    }

    private static void deleteRecursively(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("ChromiumPhone: failed to delete the profile " + directory + ": " + e);
        }
    }
}
