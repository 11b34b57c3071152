package io.contop.host.api.video;

/**
 * A producer of the video that sessions send to the phone: the desktop screen, or a generated
 * test pattern when no screen can be captured.
 *
 * <p>Each source bundle registers its sources as services, and registers a source only while it
 * can deliver frames (a desktop capture source only while a display is reachable). The WebRTC
 * engine uses the registered source with the highest {@code service.ranking} and switches when
 * sources come and go. It starts the source when the first session needs video and closes the
 * capture when the last session ends.
 *
 * <p>Implementations are thread-safe.
 */
public interface VideoSource {

    /** The {@code service.ranking} of the generated test pattern, below every real source. */
    int RANKING_TEST_PATTERN = -1000;

    /** The {@code service.ranking} of desktop capture. */
    int RANKING_DESKTOP_CAPTURE = 100;

    /**
     * Returns a description for the daemon's log, such as {@code test pattern 320x240 at 15 fps}.
     */
    String description();

    /**
     * Starts delivering frames to {@code sink} on a thread of the source, until the returned
     * capture is closed.
     *
     * @throws IllegalStateException when the source cannot start, for example because the display
     *     went away since the source was registered; the message gives the reason
     */
    VideoCapture start(VideoSink sink);
}
