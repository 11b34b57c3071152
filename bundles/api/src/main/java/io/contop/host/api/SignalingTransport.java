package io.contop.host.api;

/** The HTTP and WebSocket endpoint the phone and the desktop UI talk to. */
public interface SignalingTransport {

    /** Returns the TCP port the public listener is bound to. */
    int port();

    /**
     * Returns the port of the loopback listener that a tunnel forwards to. It serves only
     * {@code /ws/signaling} and {@code /health}, never the REST API.
     */
    int tunnelPort();

    /** Closes every signaling socket authenticated with {@code token} with a WebSocket close code. */
    void closeSignaling(String token, int closeCode, String reason);
}
