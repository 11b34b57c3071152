package io.contop.host.itests.phone;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The phone's signaling WebSocket, on the JDK's {@link WebSocket}.
 *
 * <p>Sends are queued on one thread because the JDK client rejects a send while the previous one
 * is still in progress. Incoming text frames are reassembled and passed to the {@link Handler}
 * whole, on the client's thread.
 */
final class SignalingConnection implements WebSocket.Listener {

    /** Callbacks for incoming frames and the end of the connection. */
    interface Handler {
        void onText(String text);

        void onClosed(int code, String reason);

        void onError(Throwable error);
    }

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(5);

    private final Handler handler;
    private final StringBuilder partialText = new StringBuilder();
    private final ExecutorService sender = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "signaling-sender");
        thread.setDaemon(true);
        return thread;
    });
    private volatile WebSocket webSocket;

    private SignalingConnection(Handler handler) {
        this.handler = handler;
    }

    /**
     * Opens the WebSocket and waits for the upgrade to complete.
     *
     * @throws ExecutionException when the connection or the upgrade fails, with the reason as its cause
     * @throws TimeoutException when the upgrade does not complete within {@code timeout}
     */
    static SignalingConnection connect(URI uri, Duration timeout, Handler handler)
            throws ExecutionException, TimeoutException, InterruptedException {
        SignalingConnection connection = new SignalingConnection(handler);
        // NO_PROXY: the phone must talk to the address it was given and to nothing else.
        HttpClient client = HttpClient.newBuilder()
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(timeout)
                .build();
        try {
            connection.webSocket = client.newWebSocketBuilder()
                    .connectTimeout(timeout)
                    .buildAsync(uri, connection)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            connection.sender.shutdownNow();
            throw e;
        }
        return connection;
    }

    /**
     * Queues {@code text} as one text frame. A failed send, or a send after {@link #close()}, is
     * reported on standard error and otherwise ignored, because the host may have closed the
     * socket on purpose. Never throws, so that it is safe to call from a WebRTC callback, where
     * an exception would abort the JVM.
     */
    void send(String text) {
        try {
            sender.execute(() -> transmit(text));
        } catch (RejectedExecutionException e) {
            System.err.println("JavaPhone: signaling already closed, dropping a " + text.length() + "-character frame");
        }
    }

    private void transmit(String text) {
        try {
            webSocket.sendText(text, true).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            System.err.println("JavaPhone: signaling send failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends a normal close frame after the queued frames, then stops the send thread. */
    void close() {
        sender.execute(() -> {
            try {
                webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "phone done")
                        .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                webSocket.abort();
            } catch (InterruptedException e) {
                webSocket.abort();
                Thread.currentThread().interrupt();
            }
        });
        sender.shutdown();
        try {
            if (!sender.awaitTermination(SEND_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS)) {
                webSocket.abort();
                sender.shutdownNow();
            }
        } catch (InterruptedException e) {
            webSocket.abort();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
        partialText.append(data);
        if (last) {
            String text = partialText.toString();
            partialText.setLength(0);
            handler.onText(text);
        }
        socket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
        System.err.println("JavaPhone: ignoring a binary signaling frame of " + data.remaining() + " bytes");
        socket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
        handler.onClosed(statusCode, reason);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
        handler.onError(error);
    }
}
