package io.contop.host.webrtc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import dev.onvoid.webrtc.media.video.VideoTrack;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import io.contop.host.api.video.I420Frame;
import io.contop.host.api.video.VideoCapture;
import io.contop.host.api.video.VideoSink;
import io.contop.host.api.video.VideoSource;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shared track's source selection and frame copy, with recording sources and a real webrtc-java factory. */
class VideoFeedTest {
    private PeerConnectionFactory factory;
    private VideoFeed feed;

    @BeforeEach
    void createFactory() {
        factory = new PeerConnectionFactory(new HeadlessAudioDeviceModule());
        feed = new VideoFeed();
    }

    @AfterEach
    void disposeFactory() {
        feed.close();
        factory.dispose();
    }

    @Test
    void bestRankedSourceRunsWhileTrackIsUsed() {
        RecordingSource pattern = new RecordingSource("pattern");
        RecordingSource desktop = new RecordingSource("desktop");
        feed.addSource(pattern, VideoSource.RANKING_TEST_PATTERN, 1);
        feed.addSource(desktop, VideoSource.RANKING_DESKTOP_CAPTURE, 2);
        assertEquals(0, desktop.starts);

        VideoTrack first = feed.acquire(factory);
        VideoTrack second = feed.acquire(factory);

        assertSame(first, second);
        assertEquals(1, desktop.starts);
        assertEquals(0, pattern.starts);
        assertEquals("desktop", feed.currentSource());

        feed.release();
        assertEquals(0, desktop.closes);
        feed.release();
        assertEquals(1, desktop.closes);
    }

    @Test
    void betterSourceTakesOverAndLossFallsBack() {
        RecordingSource pattern = new RecordingSource("pattern");
        RecordingSource desktop = new RecordingSource("desktop");
        feed.addSource(pattern, VideoSource.RANKING_TEST_PATTERN, 1);
        feed.acquire(factory);
        assertEquals(1, pattern.starts);

        feed.addSource(desktop, VideoSource.RANKING_DESKTOP_CAPTURE, 2);
        assertEquals(1, pattern.closes);
        assertEquals(1, desktop.starts);

        feed.removeSource(desktop);
        assertEquals(1, desktop.closes);
        assertEquals(2, pattern.starts);
        assertEquals("pattern", feed.currentSource());
        feed.release();
    }

    @Test
    void failingSourceIsSkipped() {
        RecordingSource pattern = new RecordingSource("pattern");
        RecordingSource broken = new RecordingSource("broken");
        broken.failure = new IllegalStateException("display :9 is unreachable");
        feed.addSource(pattern, VideoSource.RANKING_TEST_PATTERN, 1);
        feed.addSource(broken, VideoSource.RANKING_DESKTOP_CAPTURE, 2);

        feed.acquire(factory);

        assertEquals(1, broken.starts);
        assertEquals(1, pattern.starts);
        assertEquals("pattern", feed.currentSource());
        feed.release();
    }

    @Test
    void equalRankingPrefersLowerServiceId() {
        RecordingSource older = new RecordingSource("older");
        RecordingSource newer = new RecordingSource("newer");
        feed.addSource(newer, 5, 20);
        feed.addSource(older, 5, 10);

        feed.acquire(factory);

        assertEquals(1, older.starts);
        assertEquals(0, newer.starts);
        feed.release();
    }

    @Test
    void framesWithPaddedStridesReachTheTrack() throws Exception {
        RecordingSource source = new RecordingSource("frames");
        feed.addSource(source, 0, 1);
        VideoTrack track = feed.acquire(factory);
        CompletableFuture<int[]> received = new CompletableFuture<>();
        VideoTrackSink sink = frame -> {
            try {
                var buffer = frame.buffer.toI420();
                received.complete(new int[] {buffer.getWidth(), buffer.getHeight(),
                    Byte.toUnsignedInt(buffer.getDataY().get(buffer.getStrideY() * 3 + 5))});
            } finally {
                frame.release();
            }
        };
        track.addSink(sink);
        try {
            int width = 35;
            int height = 21;
            int strideY = 48;
            int strideChroma = 24;
            ByteBuffer dataY = ByteBuffer.allocateDirect(strideY * height);
            dataY.put(strideY * 3 + 5, (byte) 200);
            ByteBuffer dataU = ByteBuffer.allocateDirect(strideChroma * I420Frame.chromaHeight(height));
            ByteBuffer dataV = ByteBuffer.allocateDirect(strideChroma * I420Frame.chromaHeight(height));
            assertNotNull(source.sink);
            source.sink.onFrame(new I420Frame(width, height, dataY, strideY, dataU, strideChroma, dataV, strideChroma,
                    System.nanoTime()));

            int[] frame = received.get(5, TimeUnit.SECONDS);
            assertEquals(width, frame[0]);
            assertEquals(height, frame[1]);
            assertEquals(200, frame[2]);
            assertEquals(0, feed.failedFrames());
        } finally {
            track.removeSink(sink);
            feed.release();
        }
    }

    @Test
    void closedFeedDropsFrames() {
        RecordingSource source = new RecordingSource("late");
        feed.addSource(source, 0, 1);
        feed.acquire(factory);
        VideoSink sink = source.sink;
        feed.release();
        feed.close();

        sink.onFrame(new I420Frame(2, 2, ByteBuffer.allocate(4), 2, ByteBuffer.allocate(1), 1, ByteBuffer.allocate(1), 1, 0));

        assertEquals(0, feed.failedFrames());
        assertTrue(source.closes >= 1);
    }

    /** A source that records its starts and closes and keeps the sink of its last start. */
    private static final class RecordingSource implements VideoSource {
        private final String name;
        RuntimeException failure;
        VideoSink sink;
        int starts;
        int closes;

        RecordingSource(String name) {
            this.name = name;
        }

        @Override
        public String description() {
            return name;
        }

        @Override
        public VideoCapture start(VideoSink sink) {
            starts++;
            if (failure != null) {
                throw failure;
            }
            this.sink = sink;
            return () -> closes++;
        }
    }
}
