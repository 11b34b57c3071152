package io.contop.host.api;

/**
 * Receives what a {@link PeerSession} sends towards the phone and reports about itself. The
 * signaling transport implements it for each socket. Calls come from engine threads and must not
 * block.
 */
public interface SessionListener {

    /** Sends the SDP answer to the phone. */
    void answer(String sdp);

    /** Sends a local ICE candidate to the phone. */
    void localCandidate(IceCandidate candidate);

    /** Reports that the session closed, for any reason; no further calls follow. */
    void closed(String reason);
}
