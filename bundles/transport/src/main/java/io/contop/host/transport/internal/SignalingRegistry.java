package io.contop.host.transport.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The open signaling socket of each token; a new socket for a token takes over from the old one. */
final class SignalingRegistry {
    /** WebSocket close code for a missing, unknown, expired or revoked token. */
    static final int CLOSE_INVALID_TOKEN = 4001;
    /** WebSocket close code sent to a socket replaced by a newer one for the same token. */
    static final int CLOSE_REPLACED = 4002;

    private final Map<String, SignalingSocket> byToken = new ConcurrentHashMap<>();

    /** Registers {@code socket} for its token and closes the socket it replaces with 4002. */
    void register(String token, SignalingSocket socket) {
        SignalingSocket previous = byToken.put(token, socket);
        if (previous != null && previous != socket) {
            previous.close(CLOSE_REPLACED, "Replaced by a new connection for the same token");
        }
    }

    void unregister(String token, SignalingSocket socket) {
        byToken.remove(token, socket);
    }

    void close(String token, int code, String reason) {
        SignalingSocket socket = byToken.remove(token);
        if (socket != null) {
            socket.close(code, reason);
        }
    }

    void closeAll(int code, String reason) {
        for (String token : byToken.keySet()) {
            close(token, code, reason);
        }
    }

    int size() {
        return byToken.size();
    }
}
