package io.contop.host.itests.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client on a plain socket that writes whatever a test requests: any request target
 * (fragments, paths, repeated parameters), any headers, frames with any opcode, reserved bits,
 * declared length or masking, invalid UTF-8, and frames written a few bytes at a time. It reads
 * the host's frames on a thread and collects text frames and the close code.
 *
 * <p>Use only against the daemon under test on loopback. Not thread-safe for writing.
 */
final class RawWebSocket implements AutoCloseable {
    static final int OPCODE_CONTINUATION = 0;
    static final int OPCODE_TEXT = 1;
    static final int OPCODE_BINARY = 2;
    static final int OPCODE_CLOSE = 8;
    static final int OPCODE_PING = 9;

    /** Close code recorded when the connection ends without a close frame. */
    static final int NO_CLOSE_FRAME = -1;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final int handshakeStatus;
    private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    private final java.util.concurrent.CompletableFuture<Integer> closeCode = new java.util.concurrent.CompletableFuture<>();
    private volatile String closeReason = "";

    private RawWebSocket(Socket socket, int handshakeStatus) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
        this.handshakeStatus = handshakeStatus;
        if (handshakeStatus == 101) {
            Thread reader = new Thread(this::readFrames, "raw-websocket-reader");
            reader.setDaemon(true);
            reader.start();
        } else {
            closeCode.complete(NO_CLOSE_FRAME);
        }
    }

    /**
     * Connects to {@code 127.0.0.1:port}, sends an upgrade request for {@code target} with the
     * extra headers, and reads the response head.
     */
    static RawWebSocket open(int port, String target, Map<String, String> headers) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        StringBuilder request = new StringBuilder();
        request.append("GET ").append(target).append(" HTTP/1.1\r\n");
        request.append("Host: 127.0.0.1:").append(port).append("\r\n");
        request.append("Upgrade: websocket\r\nConnection: Upgrade\r\n");
        byte[] key = new byte[16];
        RANDOM.nextBytes(key);
        request.append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(key)).append("\r\n");
        request.append("Sec-WebSocket-Version: 13\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        request.append("\r\n");
        socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return new RawWebSocket(socket, readStatus(socket.getInputStream()));
    }

    /** Returns the HTTP status of the upgrade response: 101 when the socket is open. */
    int handshakeStatus() {
        return handshakeStatus;
    }

    void sendText(String text) throws IOException {
        sendFrame(true, 0, OPCODE_TEXT, text.getBytes(StandardCharsets.UTF_8), true, -1);
    }

    /**
     * Writes one frame.
     *
     * @param declaredLength the payload length to put in the header, or -1 for the real one
     */
    void sendFrame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked, long declaredLength)
            throws IOException {
        out.write(frame(fin, rsv, opcode, payload, masked, declaredLength));
        out.flush();
    }

    /** Writes a masked text frame {@code chunk} bytes at a time, pausing between the writes. */
    void sendSlowly(String text, int chunk, Duration pause) throws IOException, InterruptedException {
        byte[] bytes = frame(true, 0, OPCODE_TEXT, text.getBytes(StandardCharsets.UTF_8), true, -1);
        for (int offset = 0; offset < bytes.length; offset += chunk) {
            out.write(bytes, offset, Math.min(chunk, bytes.length - offset));
            out.flush();
            Thread.sleep(pause.toMillis());
        }
    }

    /** Returns the next text frame from the host, or null when none arrives in time. */
    String nextText(Duration timeout) throws InterruptedException {
        return texts.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits for the close; returns the host's close code, or {@link #NO_CLOSE_FRAME}, or null on timeout. */
    Integer awaitClose(Duration timeout) {
        try {
            return closeCode.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        } catch (Exception e) {
            return NO_CLOSE_FRAME;
        }
    }

    boolean isClosed() {
        return closeCode.isDone();
    }

    String closeReason() {
        return closeReason;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Already closed.
        }
    }

    private static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked, long declaredLength) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f));
        long length = declaredLength >= 0 ? declaredLength : payload.length;
        int maskBit = masked ? 0x80 : 0;
        if (length < 126) {
            frame.write(maskBit | (int) length);
        } else if (length <= 0xffff) {
            frame.write(maskBit | 126);
            frame.write((int) (length >> 8) & 0xff);
            frame.write((int) length & 0xff);
        } else {
            frame.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (length >> shift) & 0xff);
            }
        }
        byte[] mask = new byte[4];
        if (masked) {
            RANDOM.nextBytes(mask);
            frame.write(mask, 0, 4);
        }
        for (int i = 0; i < payload.length; i++) {
            frame.write(masked ? payload[i] ^ mask[i % 4] : payload[i]);
        }
        return frame.toByteArray();
    }

    private static int readStatus(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        String[] statusLine = text.split("\r\n", 2)[0].split(" ");
        if (statusLine.length < 2) {
            return -1;
        }
        try {
            return Integer.parseInt(statusLine[1]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void readFrames() {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        try {
            socket.setSoTimeout(0);
            while (true) {
                int first = in.read();
                int second = in.read();
                if (first < 0 || second < 0) {
                    break;
                }
                int opcode = first & 0x0f;
                long length = second & 0x7f;
                if (length == 126) {
                    length = (in.read() << 8) | in.read();
                } else if (length == 127) {
                    length = 0;
                    for (int i = 0; i < 8; i++) {
                        length = (length << 8) | in.read();
                    }
                }
                byte[] payload = in.readNBytes((int) length);
                if (opcode == OPCODE_CLOSE) {
                    int code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                    closeReason = payload.length > 2
                            ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
                    closeCode.complete(code);
                    return;
                }
                if (opcode == OPCODE_TEXT || opcode == OPCODE_CONTINUATION) {
                    message.write(payload);
                    if ((first & 0x80) != 0) {
                        texts.add(message.toString(StandardCharsets.UTF_8));
                        message.reset();
                    }
                }
            }
        } catch (SocketTimeoutException e) {
            // Not reached: the reader waits without a timeout.
        } catch (IOException e) {
            // The connection ended.
        }
        closeCode.complete(NO_CLOSE_FRAME);
    }
}
