package io.contop.host.itests.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A signaling socket driven message by message with the JDK WebSocket client, for tests that
 * send malformed or hostile frames. Collects the host's text frames and its close code.
 */
final class RawSignaling implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final CompletableFuture<String> closeReason = new CompletableFuture<>();
    private final WebSocket socket;

    private RawSignaling(String url) throws Exception {
        socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create(url), new Listener()).get(10, TimeUnit.SECONDS);
    }

    static RawSignaling open(int port, String token) throws Exception {
        return new RawSignaling("ws://127.0.0.1:" + port + "/ws/signaling?token=" + token);
    }

    void send(String text) throws Exception {
        socket.sendText(text, true).get(10, TimeUnit.SECONDS);
    }

    void sendBinary(byte[] bytes) throws Exception {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).get(10, TimeUnit.SECONDS);
    }

    /** Returns the next text frame from the host as JSON, or null when none arrives in time. */
    JsonNode next(Duration timeout) throws Exception {
        String text = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return text == null ? null : JSON.readTree(text);
    }

    /** Returns the next {@code error} frame's message, failing when none arrives in time. */
    String nextError() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode message = next(Duration.ofMillis(200));
            if (message != null && "error".equals(message.path("type").asText())) {
                return message.path("message").asText();
            }
        }
        throw new AssertionError("no error frame within 10 s");
    }

    int awaitCloseCode(Duration timeout) throws Exception {
        return closeCode.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    String closeReason() throws Exception {
        return closeReason.get(1, TimeUnit.SECONDS);
    }

    boolean isClosed() {
        return closeCode.isDone();
    }

    /** Sends a normal close and waits for the host's reply; returns how long that took. */
    Duration closeAndTime() throws Exception {
        long start = System.nanoTime();
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "test done").get(10, TimeUnit.SECONDS);
        closeCode.get(10, TimeUnit.SECONDS);
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Override
    public void close() {
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                received.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeReason.complete(reason);
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closeReason.complete(String.valueOf(error));
            closeCode.completeExceptionally(error);
        }
    }
}
