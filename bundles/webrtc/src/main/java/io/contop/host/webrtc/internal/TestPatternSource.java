package io.contop.host.webrtc.internal;

import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import java.nio.ByteBuffer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A generated video: grey bars with a white band that moves one step per frame, pushed into a
 * {@link CustomVideoSource} at a fixed frame rate while at least one session uses it.
 */
final class TestPatternSource implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TestPatternSource.class);

    private final int width;
    private final int height;
    private final int framesPerSecond;
    private final CustomVideoSource source = new CustomVideoSource();
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "contop-test-pattern");
        thread.setDaemon(true);
        return thread;
    });
    private ScheduledFuture<?> task;
    private int users;
    private long frameNumber;

    TestPatternSource(int width, int height, int framesPerSecond) {
        this.width = width;
        this.height = height;
        this.framesPerSecond = framesPerSecond;
    }

    CustomVideoSource source() {
        return source;
    }

    /** Starts pushing frames when the first user arrives. */
    synchronized void acquire() {
        users++;
        if (task == null) {
            task = clock.scheduleAtFixedRate(this::pushFrame, 0, 1000 / framesPerSecond, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops pushing frames when the last user leaves. */
    synchronized void release() {
        users = Math.max(0, users - 1);
        if (users == 0 && task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void pushFrame() {
        try {
            NativeI420Buffer buffer = NativeI420Buffer.allocate(width, height);
            fill(buffer, frameNumber++);
            VideoFrame frame = new VideoFrame(buffer, System.nanoTime());
            source.pushFrame(frame);
            frame.release();
        } catch (RuntimeException e) {
            LOG.warn("Test pattern frame failed: {}", e.toString());
        }
    }

    private void fill(NativeI420Buffer buffer, long frame) {
        ByteBuffer y = buffer.getDataY();
        int strideY = buffer.getStrideY();
        int band = (int) (frame * 4 % width);
        for (int row = 0; row < height; row++) {
            for (int column = 0; column < width; column++) {
                boolean inBand = column >= band && column < band + 16;
                int luma = inBand ? 235 : 16 + (column * 8 / width) * 28;
                y.put(row * strideY + column, (byte) luma);
            }
        }
        fillPlane(buffer.getDataU(), buffer.getStrideU(), (height + 1) / 2);
        fillPlane(buffer.getDataV(), buffer.getStrideV(), (height + 1) / 2);
    }

    private static void fillPlane(ByteBuffer plane, int stride, int rows) {
        for (int index = 0; index < stride * rows; index++) {
            plane.put(index, (byte) 128);
        }
    }

    @Override
    public synchronized void close() {
        clock.shutdownNow();
        task = null;
        source.dispose();
    }
}
