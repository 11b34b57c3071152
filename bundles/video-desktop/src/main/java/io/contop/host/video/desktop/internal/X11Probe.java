package io.contop.host.video.desktop.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Checks that the X server of a local display accepts a connection from this process, by
 * performing the X11 connection setup over its Unix domain socket and closing the connection.
 *
 * <p>webrtc-java 0.14.0 must never be asked to capture a display that Xlib cannot open: its
 * native capturer is then null and the first call into it crashes the JVM with SIGSEGV. This
 * probe therefore runs before every capture starts.
 */
final class X11Probe {
    private static final int SETUP_SUCCESS = 1;
    private static final int SETUP_FAILED = 0;
    private static final int SETUP_HEADER_BYTES = 8;
    private static final int FIXED_SETUP_BYTES = 32;
    private static final int FORMAT_BYTES = 8;
    private static final int SCREEN_BYTES = 40;
    private static final int DEPTH_BYTES = 8;
    private static final int VISUAL_BYTES = 24;

    /**
     * The outcome of one probe.
     *
     * @param accepted true when the server completed the connection setup
     * @param detail why the display is unusable, or the server's vendor string when accepted
     * @param width the width in pixels of the display's screen, 0 when not accepted
     * @param height the height in pixels of the display's screen, 0 when not accepted
     */
    record Result(boolean accepted, String detail, int width, int height) {
        static Result rejected(String reason) {
            return new Result(false, reason, 0, 0);
        }
    }

    private X11Probe() {
    }

    /**
     * Connects to {@code display}'s socket, presents {@code cookie} when there is one, and reads
     * the server's reply within {@code timeout}. Never throws: every failure is a rejected result
     * whose detail says what failed.
     */
    static Result probe(X11DisplayName display, Optional<XAuthority.Cookie> cookie, Duration timeout) {
        return probe(display, display.socketPath(), cookie, timeout);
    }

    static Result probe(X11DisplayName display, Path socket, Optional<XAuthority.Cookie> cookie, Duration timeout) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            writeFully(channel, setupRequest(cookie));
            ByteBuffer header = readFully(channel, ByteBuffer.allocate(SETUP_HEADER_BYTES), timeout);
            header.order(ByteOrder.LITTLE_ENDIAN);
            int additionalBytes = Short.toUnsignedInt(header.getShort(6)) * 4;
            ByteBuffer body = readFully(channel, ByteBuffer.allocate(additionalBytes), timeout);
            body.order(ByteOrder.LITTLE_ENDIAN);
            return interpret(display, header, body);
        } catch (IOException e) {
            return Result.rejected("cannot connect to " + socket + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // A malformed setup reply, such as a length that points past the data.
            return Result.rejected("invalid connection setup reply from " + socket + ": " + e);
        }
    }

    /** Builds the connection setup request, in little-endian byte order. */
    static ByteBuffer setupRequest(Optional<XAuthority.Cookie> cookie) {
        byte[] name = cookie.isPresent() ? XAuthority.MIT_MAGIC_COOKIE.getBytes(StandardCharsets.US_ASCII) : new byte[0];
        byte[] data = cookie.map(XAuthority.Cookie::data).orElse(new byte[0]);
        ByteBuffer request = ByteBuffer.allocate(12 + padded(name.length) + padded(data.length))
                .order(ByteOrder.LITTLE_ENDIAN);
        request.put((byte) 'l').put((byte) 0);
        request.putShort((short) 11).putShort((short) 0);
        request.putShort((short) name.length).putShort((short) data.length).putShort((short) 0);
        request.put(name).position(12 + padded(name.length));
        request.put(data).position(request.capacity());
        return request.flip();
    }

    private static Result interpret(X11DisplayName display, ByteBuffer header, ByteBuffer body) {
        int status = Byte.toUnsignedInt(header.get(0));
        if (status == SETUP_FAILED) {
            int reasonLength = Byte.toUnsignedInt(header.get(1));
            String reason = new String(body.array(), 0, Math.min(reasonLength, body.capacity()), StandardCharsets.US_ASCII);
            return Result.rejected("the X server refused the connection: " + reason.strip());
        }
        if (status != SETUP_SUCCESS) {
            return Result.rejected("the X server asked for further authentication, which is not supported");
        }
        int vendorLength = Short.toUnsignedInt(body.getShort(16));
        int screenCount = Byte.toUnsignedInt(body.get(20));
        int formatCount = Byte.toUnsignedInt(body.get(21));
        String vendor = new String(body.array(), FIXED_SETUP_BYTES, vendorLength, StandardCharsets.US_ASCII);
        if (display.screen() >= screenCount) {
            return Result.rejected("the X server has " + screenCount + " screen(s), so screen " + display.screen()
                    + " does not exist");
        }
        int screenOffset = FIXED_SETUP_BYTES + padded(vendorLength) + formatCount * FORMAT_BYTES;
        for (int index = 0; index < display.screen(); index++) {
            screenOffset = nextScreen(body, screenOffset);
        }
        int width = Short.toUnsignedInt(body.getShort(screenOffset + 20));
        int height = Short.toUnsignedInt(body.getShort(screenOffset + 22));
        return new Result(true, vendor, width, height);
    }

    /** Returns the offset of the screen after the one at {@code offset}, skipping its depths and visuals. */
    private static int nextScreen(ByteBuffer body, int offset) {
        int depthCount = Byte.toUnsignedInt(body.get(offset + 39));
        int next = offset + SCREEN_BYTES;
        for (int depth = 0; depth < depthCount; depth++) {
            int visualCount = Short.toUnsignedInt(body.getShort(next + 2));
            next += DEPTH_BYTES + visualCount * VISUAL_BYTES;
        }
        return next;
    }

    private static int padded(int length) {
        return (length + 3) & ~3;
    }

    private static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static ByteBuffer readFully(SocketChannel channel, ByteBuffer buffer, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            while (buffer.hasRemaining()) {
                long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
                if (remainingMillis <= 0) {
                    throw new IOException("no connection setup reply within " + timeout.toMillis() + " ms");
                }
                selector.select(remainingMillis);
                selector.selectedKeys().clear();
                if (channel.read(buffer) < 0) {
                    throw new IOException("the X server closed the connection during setup");
                }
            }
        }
        return buffer;
    }
}
