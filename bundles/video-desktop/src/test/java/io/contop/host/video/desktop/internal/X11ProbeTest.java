package io.contop.host.video.desktop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the probe against a fake X server on a Unix domain socket that sends a scripted setup reply. */
class X11ProbeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final byte[] COOKIE = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path directory;

    @Test
    void acceptedSetupReportsScreenSize() throws Exception {
        Path socket = directory.resolve("X5");
        CompletableFuture<ByteBuffer> request = serveOnce(socket, successReply("Fake X", 800, 600, 1024, 768));

        X11Probe.Result result = X11Probe.probe(new X11DisplayName("", 5, 0), socket,
                Optional.of(new XAuthority.Cookie(COOKIE)), TIMEOUT);

        assertTrue(result.accepted(), result.detail());
        assertEquals("Fake X", result.detail());
        assertEquals(800, result.width());
        assertEquals(600, result.height());
        ByteBuffer sent = request.get(5, TimeUnit.SECONDS).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals('l', sent.get(0));
        assertEquals(11, sent.getShort(2));
        assertEquals(XAuthority.MIT_MAGIC_COOKIE.length(), sent.getShort(6));
        assertEquals(COOKIE.length, sent.getShort(8));
        assertEquals(XAuthority.MIT_MAGIC_COOKIE, new String(sent.array(), 12, 18, StandardCharsets.US_ASCII));
        assertEquals("0123456789abcdef", new String(sent.array(), 32, 16, StandardCharsets.US_ASCII));
    }

    @Test
    void secondScreenIsFoundPastFirstScreensDepths() throws Exception {
        Path socket = directory.resolve("X6");
        serveOnce(socket, successReply("Fake X", 800, 600, 1024, 768));

        X11Probe.Result result = X11Probe.probe(new X11DisplayName("", 6, 1), socket, Optional.empty(), TIMEOUT);

        assertTrue(result.accepted(), result.detail());
        assertEquals(1024, result.width());
        assertEquals(768, result.height());
    }

    @Test
    void missingScreenIsRejected() throws Exception {
        Path socket = directory.resolve("X7");
        serveOnce(socket, successReply("Fake X", 800, 600, 1024, 768));

        X11Probe.Result result = X11Probe.probe(new X11DisplayName("", 7, 2), socket, Optional.empty(), TIMEOUT);

        assertFalse(result.accepted());
        assertTrue(result.detail().contains("screen 2 does not exist"), result.detail());
    }

    @Test
    void refusedSetupIsRejectedWithServerReason() throws Exception {
        Path socket = directory.resolve("X8");
        serveOnce(socket, failedReply("Authorization required"));

        X11Probe.Result result = X11Probe.probe(new X11DisplayName("", 8, 0), socket, Optional.empty(), TIMEOUT);

        assertFalse(result.accepted());
        assertTrue(result.detail().contains("Authorization required"), result.detail());
    }

    @Test
    void silentServerTimesOut() throws Exception {
        Path socket = directory.resolve("X9");
        serveOnce(socket, null);

        long start = System.nanoTime();
        X11Probe.Result result = X11Probe.probe(new X11DisplayName("", 9, 0), socket, Optional.empty(),
                Duration.ofMillis(300));

        assertFalse(result.accepted());
        assertTrue(result.detail().contains("no connection setup reply"), result.detail());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "the probe did not honour its timeout");
    }

    @Test
    void missingSocketIsRejected() {
        X11Probe.Result result = X11Probe.probe(new X11DisplayName("", 10, 0), directory.resolve("X10"),
                Optional.empty(), TIMEOUT);

        assertFalse(result.accepted());
        assertTrue(result.detail().contains("cannot connect"), result.detail());
    }

    /**
     * Accepts one connection on {@code socket}, reads the setup request, writes {@code reply}
     * (or nothing when null, keeping the connection open) and completes with the request.
     */
    private static CompletableFuture<ByteBuffer> serveOnce(Path socket, byte[] reply) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        CompletableFuture<ByteBuffer> request = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try (server; SocketChannel client = server.accept()) {
                ByteBuffer header = readFully(client, 12);
                header.order(ByteOrder.LITTLE_ENDIAN);
                int nameLength = padded(header.getShort(6));
                int dataLength = padded(header.getShort(8));
                ByteBuffer whole = ByteBuffer.allocate(12 + nameLength + dataLength);
                whole.put(header.array()).put(readFully(client, nameLength + dataLength).array());
                request.complete(whole);
                if (reply == null) {
                    Thread.sleep(2_000);
                    return;
                }
                client.write(ByteBuffer.wrap(reply));
            } catch (IOException | InterruptedException e) {
                request.completeExceptionally(e);
            }
        }, "fake-x-server");
        thread.setDaemon(true);
        thread.start();
        return request;
    }

    private static ByteBuffer readFully(SocketChannel channel, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IOException("closed after " + buffer.position() + " bytes");
            }
        }
        return buffer;
    }

    private static int padded(int length) {
        return (length + 3) & ~3;
    }

    /** Builds a successful setup reply with one pixmap format and two screens; the first has one depth with one visual. */
    private static byte[] successReply(String vendor, int width0, int height0, int width1, int height1) {
        byte[] vendorBytes = vendor.getBytes(StandardCharsets.US_ASCII);
        int bodyLength = 32 + padded(vendorBytes.length) + 8 + (40 + 8 + 24) + 40;
        ByteBuffer reply = ByteBuffer.allocate(8 + bodyLength).order(ByteOrder.LITTLE_ENDIAN);
        reply.put((byte) 1).put((byte) 0).putShort((short) 11).putShort((short) 0).putShort((short) (bodyLength / 4));
        int body = 8;
        reply.putShort(body + 16, (short) vendorBytes.length);
        reply.put(body + 20, (byte) 2);
        reply.put(body + 21, (byte) 1);
        reply.put(body + 32, vendorBytes);
        int screen0 = body + 32 + padded(vendorBytes.length) + 8;
        reply.putShort(screen0 + 20, (short) width0).putShort(screen0 + 22, (short) height0);
        reply.put(screen0 + 39, (byte) 1);
        reply.put(screen0 + 40, (byte) 24).putShort(screen0 + 42, (short) 1);
        int screen1 = screen0 + 40 + 8 + 24;
        reply.putShort(screen1 + 20, (short) width1).putShort(screen1 + 22, (short) height1);
        return reply.array();
    }

    private static byte[] failedReply(String reason) {
        byte[] reasonBytes = reason.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer reply = ByteBuffer.allocate(8 + padded(reasonBytes.length)).order(ByteOrder.LITTLE_ENDIAN);
        reply.put((byte) 0).put((byte) reasonBytes.length).putShort((short) 11).putShort((short) 0)
                .putShort((short) (padded(reasonBytes.length) / 4));
        reply.put(reasonBytes);
        return reply.array();
    }
}
