package io.contop.host.api;

import java.util.List;

/**
 * Answers the phone's WebRTC offers. Each session presents the DTLS certificate of the token that
 * authenticated it, so the fingerprint in every SDP answer equals the QR's {@code d}.
 * Implementations are thread-safe.
 */
public interface WebRtcEngine {

    EngineStatus status();

    /**
     * Creates a session for {@code token}. An existing session for the same token is closed
     * first: the new one takes over.
     *
     * @param sessionType the type the phone asked for in its offer; a permanent token may be
     *     downgraded to temp for this session only
     * @throws IllegalStateException when the engine is unavailable
     */
    PeerSession openSession(PairingToken token, ConnectionType sessionType, SessionListener listener);

    /** Closes every session authenticated with {@code token}. */
    void closeSessions(String token, String reason);

    /** Returns the open sessions. */
    List<PeerSession> sessions();
}
