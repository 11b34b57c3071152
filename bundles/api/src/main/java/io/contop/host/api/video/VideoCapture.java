package io.contop.host.api.video;

/** A running {@link VideoSource#start capture}. */
public interface VideoCapture extends AutoCloseable {

    /**
     * Stops the capture and waits until no frame is being delivered, so the sink is never called
     * after this returns. Further calls do nothing. Implementations must not throw.
     */
    @Override
    void close();
}
