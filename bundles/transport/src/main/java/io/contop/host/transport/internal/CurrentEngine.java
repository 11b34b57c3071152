package io.contop.host.transport.internal;

import io.contop.host.api.ConnectionType;
import io.contop.host.api.EngineStatus;
import io.contop.host.api.PairingToken;
import io.contop.host.api.PeerSession;
import io.contop.host.api.SessionListener;
import io.contop.host.api.WebRtcEngine;
import java.util.List;
import java.util.function.Supplier;

/**
 * The WebRTC engine registered now, or an unavailable one while the engine bundle is stopped or
 * being updated, so that pairing, {@code /health} and signaling stay up in between.
 */
final class CurrentEngine implements WebRtcEngine {
    private static final EngineStatus NOT_RUNNING =
            new EngineStatus(false, "the WebRTC engine bundle is not running");

    private final Supplier<WebRtcEngine> current;

    CurrentEngine(Supplier<WebRtcEngine> current) {
        this.current = current;
    }

    @Override
    public EngineStatus status() {
        WebRtcEngine engine = current.get();
        return engine == null ? NOT_RUNNING : engine.status();
    }

    @Override
    public PeerSession openSession(PairingToken token, ConnectionType sessionType, SessionListener listener) {
        WebRtcEngine engine = current.get();
        if (engine == null) {
            throw new IllegalStateException(NOT_RUNNING.detail());
        }
        return engine.openSession(token, sessionType, listener);
    }

    @Override
    public void closeSessions(String token, String reason) {
        WebRtcEngine engine = current.get();
        if (engine != null) {
            engine.closeSessions(token, reason);
        }
    }

    @Override
    public List<PeerSession> sessions() {
        WebRtcEngine engine = current.get();
        return engine == null ? List.of() : engine.sessions();
    }
}
