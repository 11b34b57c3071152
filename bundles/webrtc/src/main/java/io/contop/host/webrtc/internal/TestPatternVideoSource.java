package io.contop.host.webrtc.internal;

import io.contop.host.api.video.I420Frame;
import io.contop.host.api.video.VideoCapture;
import io.contop.host.api.video.VideoSink;
import io.contop.host.api.video.VideoSource;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A generated video, the source of last resort: grey bars with a white band that moves one step
 * per frame. It is always registered, with the lowest ranking, so sessions get video when no
 * screen can be captured. Its size and frame rate are the {@code pattern.*} settings of the
 * engine's configuration.
 */
@Component(service = VideoSource.class, configurationPid = "io.contop.host.webrtc",
        property = Constants.SERVICE_RANKING + ":Integer=" + VideoSource.RANKING_TEST_PATTERN)
public final class TestPatternVideoSource implements VideoSource {
    private static final Logger LOG = LoggerFactory.getLogger(TestPatternVideoSource.class);

    private final int width;
    private final int height;
    private final int framesPerSecond;
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "contop-test-pattern");
        thread.setDaemon(true);
        return thread;
    });

    @Activate
    public TestPatternVideoSource(WebRtcEngineComponent.Config config) {
        this(config.pattern_width(), config.pattern_height(), config.pattern_fps());
    }

    TestPatternVideoSource(int width, int height, int framesPerSecond) {
        requireRange("pattern.width", width, 16, 3840);
        requireRange("pattern.height", height, 16, 2160);
        requireRange("pattern.fps", framesPerSecond, 1, 60);
        this.width = width;
        this.height = height;
        this.framesPerSecond = framesPerSecond;
    }

    private static void requireRange(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    @Deactivate
    void deactivate() {
        clock.shutdownNow();
    }

    @Override
    public String description() {
        return "test pattern " + width + "x" + height + " at " + framesPerSecond + " fps";
    }

    @Override
    public VideoCapture start(VideoSink sink) {
        PatternCapture capture = new PatternCapture(sink);
        capture.schedule();
        return capture;
    }

    /** One running pattern: its own planes and frame counter, pushed on the shared clock thread. */
    private final class PatternCapture implements VideoCapture {
        private final VideoSink sink;
        private final ByteBuffer dataY = ByteBuffer.allocate(width * height);
        private final byte[] lumaRow = new byte[width];
        private final ByteBuffer dataU = neutralChroma();
        private final ByteBuffer dataV = neutralChroma();
        private ScheduledFuture<?> task;
        private long frameNumber;
        private boolean closed;

        PatternCapture(VideoSink sink) {
            this.sink = sink;
        }

        synchronized void schedule() {
            task = clock.scheduleAtFixedRate(this::pushFrame, 0, 1000 / framesPerSecond, TimeUnit.MILLISECONDS);
        }

        private synchronized void pushFrame() {
            if (closed) {
                return;
            }
            try {
                drawLuma(frameNumber++);
                sink.onFrame(new I420Frame(width, height, dataY, width, dataU, I420Frame.chromaWidth(width), dataV,
                        I420Frame.chromaWidth(width), System.nanoTime()));
            } catch (RuntimeException e) {
                // A task that throws is never run again, so the pattern would freeze.
                LOG.warn("Test pattern frame failed: {}", e.toString());
            }
        }

        private void drawLuma(long frame) {
            int band = (int) (frame * 4 % width);
            for (int column = 0; column < width; column++) {
                boolean inBand = column >= band && column < band + 16;
                lumaRow[column] = (byte) (inBand ? 235 : 16 + (column * 8 / width) * 28);
            }
            for (int row = 0; row < height; row++) {
                dataY.put(row * width, lumaRow);
            }
        }

        private ByteBuffer neutralChroma() {
            byte[] plane = new byte[I420Frame.chromaWidth(width) * I420Frame.chromaHeight(height)];
            Arrays.fill(plane, (byte) 128);
            return ByteBuffer.wrap(plane);
        }

        @Override
        public synchronized void close() {
            closed = true;
            if (task != null) {
                task.cancel(false);
            }
        }
    }
}
