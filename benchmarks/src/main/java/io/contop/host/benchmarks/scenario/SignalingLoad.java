package io.contop.host.benchmarks.scenario;

import io.contop.host.benchmarks.Samples;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Times the signaling WebSocket upgrade with a valid token from 127.0.0.1: the request, the token
 * validation on the daemon and the 101 response. Each socket is closed again before the next.
 */
final class SignalingLoad {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private SignalingLoad() {
    }

    /**
     * Opens {@code warmup + samples} sockets one after another, each followed by {@code pause}.
     *
     * @return the times from the request to the open socket of the last {@code samples}, in milliseconds
     */
    static Samples measure(int port, String token, int warmup, int samples, Duration pause) throws Exception {
        URI uri = URI.create("ws://127.0.0.1:" + port + "/ws/signaling?token=" + token);
        HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
        List<Double> latencies = new ArrayList<>();
        for (int i = 0; i < warmup + samples; i++) {
            ClosingListener listener = new ClosingListener();
            long start = System.nanoTime();
            WebSocket socket = client.newWebSocketBuilder().buildAsync(uri, listener)
                    .get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long elapsed = System.nanoTime() - start;
            if (i >= warmup) {
                latencies.add(elapsed / 1e6);
            }
            close(socket, listener);
            Thread.sleep(pause.toMillis());
        }
        return Samples.of(latencies);
    }

    private static void close(WebSocket socket, ClosingListener listener) throws InterruptedException {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "benchmark").get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            listener.closed.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            socket.abort();
        }
    }

    /** Completes {@link #closed} when the daemon closes the socket, and ignores every message. */
    private static final class ClosingListener implements WebSocket.Listener {
        final CompletableFuture<Integer> closed = new CompletableFuture<>();

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
