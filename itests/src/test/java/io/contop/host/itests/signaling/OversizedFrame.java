package io.contop.host.itests.signaling;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Sends one oversized text frame on a signaling socket over a plain TCP socket and reads the host's
 * close frame while the frame is still being written.
 *
 * <p>A WebSocket client library is no use here: when the host closes the connection in the middle
 * of the frame, the client's write fails with a broken pipe, and the JDK client then reports that
 * error instead of the close frame that arrived first. This client writes on its own thread,
 * ignores write errors, and reads the close frame from the bytes received before the reset.
 */
final class OversizedFrame {
    /** The host's close frame. */
    record Close(int code, String reason) {
    }

    private OversizedFrame() {
    }

    /** Opens a signaling socket with {@code token}, sends a text frame of {@code payloadBytes} and returns the close. */
    static Close send(int port, String token, int payloadBytes) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            upgrade(socket.getOutputStream(), in, port, token);

            Thread writer = new Thread(() -> writeTextFrame(socket, payloadBytes), "oversized-frame-writer");
            writer.setDaemon(true);
            writer.start();
            return readClose(in);
        }
    }

    private static void upgrade(OutputStream out, InputStream in, int port, String token) throws IOException {
        String key = Base64.getEncoder().encodeToString("contop-test-key!".getBytes(StandardCharsets.US_ASCII));
        String request = "GET /ws/signaling?token=" + token + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();

        String headers = readHeaders(in);
        if (!headers.startsWith("HTTP/1.1 101")) {
            throw new IOException("the upgrade was not accepted: " + headers.lines().findFirst().orElse(""));
        }
    }

    private static String readHeaders(InputStream in) throws IOException {
        ByteArrayOutputStream headers = new ByteArrayOutputStream();
        while (true) {
            int next = in.read();
            if (next < 0) {
                throw new EOFException("the connection closed during the upgrade");
            }
            headers.write(next);
            byte[] bytes = headers.toByteArray();
            int length = bytes.length;
            if (length >= 4 && bytes[length - 4] == '\r' && bytes[length - 3] == '\n' && bytes[length - 2] == '\r'
                    && bytes[length - 1] == '\n') {
                return new String(bytes, StandardCharsets.US_ASCII);
            }
        }
    }

    /**
     * Writes a masked text frame of {@code payloadBytes} bytes of {@code x}. The mask key is zero,
     * so the payload goes out unchanged. A write that fails because the host closed is expected.
     */
    private static void writeTextFrame(Socket socket, int payloadBytes) {
        try {
            OutputStream out = socket.getOutputStream();
            byte[] header = new byte[14];
            header[0] = (byte) 0x81; // FIN and opcode 1 (text)
            header[1] = (byte) (0x80 | 127); // masked, 64-bit length follows
            for (int i = 0; i < 8; i++) {
                header[2 + i] = (byte) ((long) payloadBytes >>> (56 - 8 * i));
            }
            out.write(header); // the last 4 bytes are the zero mask key

            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'x');
            for (int written = 0; written < payloadBytes; written += chunk.length) {
                out.write(chunk, 0, Math.min(chunk.length, payloadBytes - written));
            }
            out.flush();
        } catch (IOException closedByHost) {
            // The host may close the connection before the whole frame is written.
        }
    }

    /** Reads frames until a close frame and returns it; other frames are skipped. */
    private static Close readClose(DataInputStream in) throws IOException {
        while (true) {
            int first = in.readUnsignedByte();
            int second = in.readUnsignedByte();
            long length = second & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            if ((second & 0x80) != 0) {
                throw new IOException("the host sent a masked frame");
            }
            byte[] payload = new byte[Math.toIntExact(length)];
            in.readFully(payload);

            if ((first & 0x0F) == 0x8) {
                int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                String reason = payload.length > 2
                        ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
                return new Close(code, reason);
            }
        }
    }
}
