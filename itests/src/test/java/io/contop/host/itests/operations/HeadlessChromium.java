package io.contop.host.itests.operations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contop.host.itests.support.ChromiumPhone;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A headless Chromium in the root network namespace, driven over the Chrome DevTools protocol on a
 * loopback WebSocket, for pages that the daemon serves to loopback clients only (the console).
 *
 * <p>The browser starts with a fresh profile, no sandbox (tests run as root), background
 * networking off, and a host resolver that resolves nothing but {@code 127.0.0.1}, so it cannot
 * reach another host by name. {@link #close()} kills the browser and deletes the profile.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DEVTOOLS_URL = Pattern.compile("DevTools listening on (ws://127\\.0\\.0\\.1:(\\d+)/\\S+)");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final int OUTPUT_LINES_KEPT = 200;

    private final Process browser;
    private final Path profile;
    private final Deque<String> output = new ArrayDeque<>();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger();
    private WebSocket page;

    private HeadlessChromium(Process browser, Path profile) {
        this.browser = browser;
        this.profile = profile;
    }

    /** Starts Chromium with a blank page and connects to that page's DevTools endpoint. */
    static HeadlessChromium start(int width, int height) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("contop-console-chromium-");
        List<String> command = List.of(ChromiumPhone.CHROMIUM,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-default-apps",
                "--disable-extensions",
                "--disable-domain-reliability",
                "--disable-breakpad",
                "--no-first-run",
                "--no-default-browser-check",
                "--no-pings",
                // No host resolves except 127.0.0.1, so the browser can reach loopback and nothing else by name.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--window-size=" + width + "," + height,
                "--user-data-dir=" + profile,
                "about:blank");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        HeadlessChromium chromium = new HeadlessChromium(process, profile);
        try {
            chromium.connect(chromium.awaitDevToolsPort());
        } catch (IOException | InterruptedException | RuntimeException e) {
            chromium.close();
            throw e;
        }
        return chromium;
    }

    /** Reads Chromium's output until it names its DevTools port; keeps reading on a thread afterwards. */
    private int awaitDevToolsPort() throws InterruptedException {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(browser.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    record(line);
                    Matcher matcher = DEVTOOLS_URL.matcher(line);
                    if (matcher.find()) {
                        port.complete(Integer.parseInt(matcher.group(2)));
                    }
                }
            } catch (IOException e) {
                record("[harness] reading Chromium's output failed: " + e);
            }
            port.completeExceptionally(new IllegalStateException("Chromium exited without a DevTools port. Output:\n"
                    + output()));
        }, "console-chromium-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return port.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (TimeoutException e) {
            throw new IllegalStateException("Chromium printed no DevTools port within 30 s. Output:\n" + output());
        }
    }

    private void connect(int devToolsPort) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> targets = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + devToolsPort + "/json/list")).build(), HttpResponse.BodyHandlers.ofString());
        String pageUrl = null;
        for (JsonNode target : JSON.readTree(targets.body())) {
            if ("page".equals(target.path("type").asText())) {
                pageUrl = target.path("webSocketDebuggerUrl").asText();
            }
        }
        if (pageUrl == null) {
            throw new IllegalStateException("Chromium lists no page target: " + targets.body());
        }
        try {
            page = http.newWebSocketBuilder().buildAsync(URI.create(pageUrl), new Replies())
                    .get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Connecting to Chromium's page at " + pageUrl + " failed", e);
        }
    }

    /** Sends a DevTools command and returns its {@code result}. */
    JsonNode send(String method, ObjectNode params) {
        int id = nextId.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", params == null ? JSON.createObjectNode() : params);
        page.sendText(message.toString(), true).join();
        try {
            JsonNode response = reply.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (response.has("error")) {
                throw new IllegalStateException(method + " failed: " + response.get("error"));
            }
            return response.path("result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for " + method, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(method + " got no reply within " + COMMAND_TIMEOUT + ". Chromium output:\n"
                    + output(), e);
        } finally {
            pending.remove(id);
        }
    }

    static ObjectNode params() {
        return JSON.createObjectNode();
    }

    void navigate(String url) {
        send("Page.navigate", params().put("url", url));
    }

    /** Evaluates a JavaScript expression in the page, awaiting a promise, and returns its value. */
    JsonNode evaluate(String expression) {
        JsonNode result = send("Runtime.evaluate", params().put("expression", expression)
                .put("returnByValue", true).put("awaitPromise", true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("The page threw for " + expression + ": " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /**
     * Evaluates {@code expression} every 100 ms until it returns true.
     *
     * @throws AssertionError when it is still not true after {@code timeout}; the message names
     *     {@code what} and shows the last value of {@code diagnostics}
     */
    void awaitTrue(String what, String expression, Duration timeout, String diagnostics) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!evaluate(expression).asBoolean(false)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " not within " + timeout.toMillis() + " ms; page state: "
                        + evaluate(diagnostics));
            }
            Thread.sleep(100);
        }
    }

    /** Takes a PNG screenshot of the viewport, or of the CSS pixel rectangle {@code clip} when not null. */
    byte[] screenshot(JsonNode clip) {
        ObjectNode params = params().put("format", "png");
        if (clip != null) {
            params.putObject("clip").put("x", clip.get("x").asDouble()).put("y", clip.get("y").asDouble())
                    .put("width", clip.get("width").asDouble()).put("height", clip.get("height").asDouble())
                    .put("scale", 1);
        }
        return Base64.getDecoder().decode(send("Page.captureScreenshot", params).get("data").asText());
    }

    String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    private void record(String line) {
        synchronized (output) {
            output.addLast(line);
            if (output.size() > OUTPUT_LINES_KEPT) {
                output.removeFirst();
            }
        }
    }

    @Override
    public void close() {
        if (page != null) {
            page.abort();
        }
        browser.descendants().forEach(ProcessHandle::destroyForcibly);
        browser.destroyForcibly();
        try {
            browser.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> paths = Files.walk(profile)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("HeadlessChromium: failed to delete the profile " + profile + ": " + e);
        }
    }

    /** Collects DevTools messages (which may arrive in fragments) and completes the matching command. */
    private final class Replies implements WebSocket.Listener {
        private final StringBuilder message = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                String text = message.toString();
                message.setLength(0);
                try {
                    JsonNode node = JSON.readTree(text);
                    CompletableFuture<JsonNode> reply = node.has("id") ? pending.get(node.get("id").asInt()) : null;
                    if (reply != null) {
                        reply.complete(node);
                    }
                } catch (IOException e) {
                    record("[harness] unreadable DevTools message: " + e);
                }
            }
            socket.request(1);
            return null;
        }
    }
}
