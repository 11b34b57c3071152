package io.contop.host.api;

/**
 * One WebRTC peer connection with a phone, authenticated by a pairing token. Thread-safe; every
 * method returns without waiting for the network.
 */
public interface PeerSession {

    /** Returns the token that authenticated this session. */
    PairingToken token();

    /** Returns the connection type of this session, which a phone may downgrade to temp. */
    ConnectionType sessionType();

    /**
     * Applies the phone's SDP offer and answers it through {@link SessionListener#answer}.
     * Failures close the session with a reason.
     */
    void applyOffer(String sdp);

    /**
     * Adds a remote ICE candidate. Candidates that arrive before the offer is applied are queued.
     *
     * @param candidate the candidate, or null for the end of candidates
     */
    void addRemoteCandidate(IceCandidate candidate);

    /** Returns true while the peer connection is connected. */
    boolean isConnected();

    /** Closes the peer connection; further calls are ignored. */
    void close(String reason);
}
