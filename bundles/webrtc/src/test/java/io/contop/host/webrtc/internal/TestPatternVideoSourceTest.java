package io.contop.host.webrtc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.contop.host.api.video.I420Frame;
import io.contop.host.api.video.VideoCapture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TestPatternVideoSourceTest {

    @Test
    void deliversFramesOfConfiguredSizeUntilClosed() throws Exception {
        TestPatternVideoSource pattern = new TestPatternVideoSource(64, 48, 30);
        AtomicReference<I420Frame> last = new AtomicReference<>();
        AtomicInteger count = new AtomicInteger();
        CountDownLatch threeFrames = new CountDownLatch(3);
        try {
            VideoCapture capture = pattern.start(frame -> {
                last.set(frame);
                count.incrementAndGet();
                threeFrames.countDown();
            });
            assertTrue(threeFrames.await(5, TimeUnit.SECONDS), "fewer than 3 frames in 5 s");
            capture.close();
            int afterClose = count.get();

            I420Frame frame = last.get();
            assertEquals(64, frame.width());
            assertEquals(48, frame.height());
            assertEquals(128, Byte.toUnsignedInt(frame.dataU().get(0)));
            assertEquals(afterClose, count.get(), "a frame arrived after close() returned");
            assertEquals("test pattern 64x48 at 30 fps", pattern.description());
        } finally {
            pattern.deactivate();
        }
    }

    @Test
    void sizeOutOfRangeIsRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new TestPatternVideoSource(8, 48, 15));
        assertTrue(error.getMessage().contains("pattern.width"), error.getMessage());
    }
}
