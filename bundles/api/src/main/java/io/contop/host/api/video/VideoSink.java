package io.contop.host.api.video;

/** Receives the frames of a running {@link VideoCapture}. */
@FunctionalInterface
public interface VideoSink {

    /**
     * Receives one frame. The frame's buffers are valid only during this call, so a sink copies
     * what it keeps. Calls come from a thread of the source, one at a time, and must not block.
     * A sink must not throw, because the calling thread may belong to native capture code.
     */
    void onFrame(I420Frame frame);
}
