package io.contop.host.webrtc.internal;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import io.contop.host.api.video.I420Frame;
import io.contop.host.api.video.VideoCapture;
import io.contop.host.api.video.VideoSink;
import io.contop.host.api.video.VideoSource;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one video track that every session sends, fed by the registered {@link VideoSource} with
 * the highest service ranking.
 *
 * <p>The track and its {@link CustomVideoSource} are created on first use and kept until the
 * engine stops, because webrtc-java 0.14.0 throws an {@link Error} when a track that a closed
 * peer connection's sender still references is disposed. Only the source that feeds the track
 * changes: the best source runs while at least one session uses the track, and a better source
 * that registers, or the loss of the running one, switches the feed at once.
 *
 * <p>Thread-safe. Frames from the running source are copied into native buffers under a lock of
 * their own, so a slow source switch never blocks frame delivery and no frame is pushed after
 * {@link #close()}.
 */
final class VideoFeed implements VideoSink {
    private static final Logger LOG = LoggerFactory.getLogger(VideoFeed.class);

    /** A registered source; on equal ranking the lower service id wins, as in OSGi service lookup. */
    private record Candidate(VideoSource source, int ranking, long serviceId) {
        static final Comparator<Candidate> BEST_FIRST = Comparator.comparingInt(Candidate::ranking).reversed()
                .thenComparingLong(Candidate::serviceId);
    }

    private final List<Candidate> candidates = new ArrayList<>();
    private VideoSource selected;
    private VideoSource running;
    private VideoCapture capture;
    private int users;
    private boolean closed;

    private final Object pushLock = new Object();
    private CustomVideoSource trackSource;
    private VideoTrack track;
    private long failedFrames;

    /** Registers {@code source}, or updates its ranking, and switches to it when it is now the best. */
    synchronized void addSource(VideoSource source, int ranking, long serviceId) {
        candidates.removeIf(candidate -> candidate.source() == source);
        candidates.add(new Candidate(source, ranking, serviceId));
        candidates.sort(Candidate.BEST_FIRST);
        sourcesChanged();
    }

    /** Forgets {@code source}, stopping its capture first when it is running. */
    synchronized void removeSource(VideoSource source) {
        if (candidates.removeIf(candidate -> candidate.source() == source)) {
            sourcesChanged();
        }
    }

    /**
     * Returns the shared track, creating it on first use, and starts the best source when this is
     * the first user. Runs on the engine's session thread.
     */
    synchronized VideoTrack acquire(PeerConnectionFactory factory) {
        if (closed) {
            throw new IllegalStateException("the video feed is closed");
        }
        synchronized (pushLock) {
            if (track == null) {
                trackSource = new CustomVideoSource();
                track = factory.createVideoTrack("screen", trackSource);
            }
        }
        users++;
        if (users == 1) {
            startBestSource();
        }
        return track;
    }

    /** Ends one use of the track; the last user stops the running source. */
    synchronized void release() {
        users = Math.max(0, users - 1);
        if (users == 0) {
            stopCapture();
        }
    }

    /** Returns the description of the source that feeds the track now, or of the one that would. */
    synchronized String currentSource() {
        VideoSource source = running != null ? running : selected;
        return source == null ? "none" : source.description();
    }

    /**
     * Stops the running source and disposes the track's source. The track itself is not disposed
     * (see the class comment); the factory's disposal releases it. Runs on the session thread.
     */
    void close() {
        synchronized (this) {
            closed = true;
            stopCapture();
        }
        synchronized (pushLock) {
            if (trackSource != null) {
                trackSource.dispose();
                trackSource = null;
            }
        }
    }

    /** Returns how many frames could not be pushed into the track. */
    long failedFrames() {
        synchronized (pushLock) {
            return failedFrames;
        }
    }

    private void sourcesChanged() {
        if (closed) {
            return;
        }
        VideoSource best = candidates.isEmpty() ? null : candidates.get(0).source();
        if (best != selected) {
            selected = best;
            LOG.info("Video source: {}", best == null ? "none registered; sessions get no video" : best.description());
        }
        if (users > 0 && running != best) {
            stopCapture();
            startBestSource();
        }
    }

    /** Starts the best source that starts; a source that fails is skipped until the next start. */
    private void startBestSource() {
        for (Candidate candidate : List.copyOf(candidates)) {
            try {
                capture = candidate.source().start(this);
                running = candidate.source();
                if (running != selected) {
                    LOG.info("Video source: {}", running.description());
                }
                return;
            } catch (RuntimeException e) {
                LOG.warn("Video source '{}' failed to start: {}; trying the next one", candidate.source().description(),
                        e.getMessage());
            }
        }
        if (candidates.isEmpty()) {
            LOG.info("No video source is registered; sessions send no video until one is");
        } else {
            LOG.warn("No video source could start; sessions get no video");
        }
    }

    private void stopCapture() {
        if (capture != null) {
            try {
                capture.close();
            } catch (RuntimeException e) {
                LOG.warn("Video source '{}' failed to stop: {}", running.description(), e.toString());
            }
            capture = null;
            running = null;
        }
    }

    /**
     * Copies a frame of the running source into a native buffer and pushes it into the track.
     * Called on the source's thread, which may be a native capture thread, so nothing is thrown.
     */
    @Override
    public void onFrame(I420Frame frame) {
        synchronized (pushLock) {
            if (trackSource == null) {
                return;
            }
            try {
                push(frame);
            } catch (RuntimeException | Error e) {
                // Errors are caught too: webrtc-java reports native failures as Error, and any
                // throwable that escapes into a native capture thread aborts the JVM.
                failedFrames++;
                if (failedFrames == 1 || failedFrames % 100 == 0) {
                    LOG.warn("Video frame {}x{} could not be sent ({} failed so far): {}", frame.width(),
                            frame.height(), failedFrames, e.toString());
                }
            }
        }
    }

    private void push(I420Frame frame) {
        NativeI420Buffer buffer = NativeI420Buffer.allocate(frame.width(), frame.height());
        int chromaWidth = I420Frame.chromaWidth(frame.width());
        int chromaHeight = I420Frame.chromaHeight(frame.height());
        copyPlane(frame.dataY(), frame.strideY(), buffer.getDataY(), buffer.getStrideY(), frame.width(), frame.height());
        copyPlane(frame.dataU(), frame.strideU(), buffer.getDataU(), buffer.getStrideU(), chromaWidth, chromaHeight);
        copyPlane(frame.dataV(), frame.strideV(), buffer.getDataV(), buffer.getStrideV(), chromaWidth, chromaHeight);
        VideoFrame videoFrame = new VideoFrame(buffer, frame.timestampNanos());
        try {
            trackSource.pushFrame(videoFrame);
        } finally {
            videoFrame.release();
        }
    }

    private static void copyPlane(ByteBuffer source, int sourceStride, ByteBuffer target, int targetStride, int width,
            int rows) {
        for (int row = 0; row < rows; row++) {
            target.put(row * targetStride, source, row * sourceStride, width);
        }
    }
}
