package io.contop.host.video.desktop.internal;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import dev.onvoid.webrtc.media.video.I420Buffer;
import dev.onvoid.webrtc.media.video.VideoDesktopSource;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import io.contop.host.api.video.I420Frame;
import io.contop.host.api.video.VideoCapture;
import io.contop.host.api.video.VideoSink;
import io.contop.host.api.video.VideoSource;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole X11 screen of one display, captured with webrtc-java's {@link VideoDesktopSource}.
 *
 * <p>webrtc-java delivers captured frames only to the sinks of a track, so each capture creates
 * a private {@link PeerConnectionFactory} (with no audio device) and a track that no peer
 * connection uses, and hands the track's frames to the {@link VideoSink} as I420 planes. The
 * engine copies them into its own track.
 *
 * <p>NOTE: when the X server exits during a capture, Xlib's I/O error handling ends the whole
 * daemon (with webrtc-java 0.14.0 under Xvfb the JVM aborted). Only a capture in a separate
 * process would avoid this.
 */
final class DesktopVideoSource implements VideoSource {
    /**
     * The source id that selects the whole X screen. Monitor id 0 crashed webrtc-java 0.14.0's
     * capture thread under Xvfb, and its {@code ScreenCapturer}, which would list the monitor
     * ids, crashed in {@code getDesktopSources()} with an invalid native handle, so neither is used.
     */
    private static final long FULL_DESKTOP = -1;

    private static final Logger LOG = LoggerFactory.getLogger(DesktopVideoSource.class);

    private final X11DisplayName display;
    private final Supplier<X11Probe.Result> probe;
    private final int frameRate;
    private final int maxWidth;
    private final int maxHeight;
    private volatile X11Probe.Result lastProbe;

    /**
     * @param probe checks the display again; it runs before every capture, because capturing a
     *     display that cannot be opened crashes the JVM
     * @param lastProbe the probe result that made the display available
     */
    DesktopVideoSource(X11DisplayName display, Supplier<X11Probe.Result> probe, X11Probe.Result lastProbe,
            int frameRate, int maxWidth, int maxHeight) {
        this.display = display;
        this.probe = probe;
        this.lastProbe = lastProbe;
        this.frameRate = frameRate;
        this.maxWidth = maxWidth;
        this.maxHeight = maxHeight;
    }

    /** Records a newer probe result, so that the description shows the current screen size. */
    void probed(X11Probe.Result result) {
        if (result.accepted()) {
            lastProbe = result;
        }
    }

    @Override
    public String description() {
        X11Probe.Result result = lastProbe;
        return "desktop capture of display " + display + " (" + result.width() + "x" + result.height() + ", at most "
                + frameRate + " fps)";
    }

    @Override
    public synchronized VideoCapture start(VideoSink sink) {
        X11Probe.Result result = probe.get();
        if (!result.accepted()) {
            throw new IllegalStateException("display " + display + " is unreachable: " + result.detail());
        }
        lastProbe = result;
        DesktopCapture capture = new DesktopCapture(sink);
        try {
            capture.open();
        } catch (RuntimeException | LinkageError e) {
            capture.close();
            throw new IllegalStateException("desktop capture of display " + display + " failed to start: " + e, e);
        }
        LOG.info("Capturing display {} ({}x{})", display, result.width(), result.height());
        return capture;
    }

    /** One running capture and the native objects it owns. */
    private final class DesktopCapture implements VideoCapture, VideoTrackSink {
        private final VideoSink sink;
        private PeerConnectionFactory factory;
        private VideoDesktopSource desktop;
        private VideoTrack track;
        private volatile boolean closed;
        private long failedFrames;

        DesktopCapture(VideoSink sink) {
            this.sink = sink;
        }

        void open() {
            factory = new PeerConnectionFactory(new HeadlessAudioDeviceModule());
            desktop = new VideoDesktopSource();
            desktop.setSourceId(FULL_DESKTOP, false);
            desktop.setFrameRate(frameRate);
            desktop.setMaxFrameSize(maxWidth, maxHeight);
            track = factory.createVideoTrack("desktop-capture", desktop);
            track.addSink(this);
            desktop.start();
        }

        /** Receives a captured frame on webrtc-java's capture thread, so nothing may be thrown. */
        @Override
        public void onVideoFrame(VideoFrame frame) {
            try {
                if (!closed) {
                    deliver(frame);
                }
            } catch (RuntimeException | Error e) {
                // Errors are caught too, because any throwable that reaches the native capture
                // thread aborts the JVM.
                failedFrames++;
                if (failedFrames == 1 || failedFrames % 100 == 0) {
                    LOG.warn("Captured frame of display {} dropped ({} so far): {}", display, failedFrames, e.toString());
                }
            } finally {
                frame.release();
            }
        }

        private void deliver(VideoFrame frame) {
            I420Buffer buffer = frame.buffer.toI420();
            try {
                sink.onFrame(new I420Frame(buffer.getWidth(), buffer.getHeight(), buffer.getDataY(), buffer.getStrideY(),
                        buffer.getDataU(), buffer.getStrideU(), buffer.getDataV(), buffer.getStrideV(),
                        System.nanoTime()));
            } finally {
                if (buffer != frame.buffer) {
                    buffer.release();
                }
            }
        }

        /** Stops the capture thread, which delivers every frame, before releasing the native objects. */
        @Override
        public void close() {
            synchronized (DesktopVideoSource.this) {
                if (closed) {
                    return;
                }
                closed = true;
                if (track != null) {
                    release("remove the track's sink", () -> track.removeSink(this));
                }
                if (desktop != null) {
                    release("stop the capture", desktop::stop);
                }
                if (track != null) {
                    release("dispose the track", track::dispose);
                }
                if (desktop != null) {
                    release("dispose the desktop source", desktop::dispose);
                }
                if (factory != null) {
                    release("dispose the capture's factory", factory::dispose);
                }
                LOG.info("Stopped capturing display {}", display);
            }
        }

        /** Runs one release step; webrtc-java reports native failures as {@link Error}, so those are caught too. */
        private void release(String step, Runnable action) {
            try {
                action.run();
            } catch (RuntimeException | Error e) {
                LOG.warn("Desktop capture of display {}: could not {}: {}", display, step, e.toString());
            }
        }
    }
}
