package io.contop.host.transport.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The open signaling socket of each token; a new socket for a token takes over from the old one. */
final class SignalingRegistry {
    /** WebSocket close code for a missing, unknown, expired or revoked token. */
    static final int CLOSE_INVALID_TOKEN = 4001;
    /** WebSocket close code sent to a socket replaced by a newer one for the same token. */
    static final int CLOSE_REPLACED = 4002;

    private final Map<String, SignalingSocket> byToken = new ConcurrentHashMap<>();
    private final AtomicLong upgrades = new AtomicLong();

    /** Returns the order number of an upgrade; called while the upgrade request is handled. */
    long nextUpgrade() {
        return upgrades.incrementAndGet();
    }

    /**
     * Registers {@code socket} for its token, unless a socket upgraded later already has it, and
     * closes whichever of the two is older with 4002. Jetty calls each socket's open callback after
     * the upgrade response, so under load a newer socket can open first; the upgrade order decides.
     *
     * @return true when {@code socket} is now the token's socket
     */
    boolean register(String token, SignalingSocket socket) {
        SignalingSocket[] replaced = new SignalingSocket[1];
        SignalingSocket registered = byToken.compute(token, (key, current) -> {
            if (current == null || current == socket) {
                return socket;
            }
            boolean newer = socket.upgrade() > current.upgrade();
            replaced[0] = newer ? current : socket;
            return newer ? socket : current;
        });
        if (replaced[0] != null) {
            replaced[0].close(CLOSE_REPLACED, "Replaced by a new connection for the same token");
        }
        return registered == socket;
    }

    /** Returns true while {@code socket} is the registered socket of {@code token}. */
    boolean isCurrent(String token, SignalingSocket socket) {
        return byToken.get(token) == socket;
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
