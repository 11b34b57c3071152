package io.contop.host.transport.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contop.host.api.ConnectionType;
import io.contop.host.api.IceCandidate;
import io.contop.host.api.PairingToken;
import io.contop.host.api.PeerSession;
import io.contop.host.api.SessionListener;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One signaling WebSocket of a phone. It carries the SDP offer and answer and trickled ICE
 * candidates. A bad message gets an error frame and the socket stays open; closing the socket
 * leaves the WebRTC session running.
 */
public final class SignalingSocket implements Session.Listener.AutoDemanding {
    private static final Logger LOG = LoggerFactory.getLogger(SignalingSocket.class);

    private final HostServices services;
    private final SignalingRegistry registry;
    private final PairingToken token;
    private final String remoteIp;
    private final boolean viaTunnel;
    private final RateLimiter rateLimiter;
    private final long upgrade;
    private final List<IceCandidate> earlyCandidates = new ArrayList<>();
    private volatile Session session;
    private PeerSession peer;
    /** The listener of the session opened by this socket's last offer. */
    private volatile PeerEvents offerEvents;
    private int rejectedMessages;

    /** @param token the validated token, or null when the request's token was missing or invalid */
    SignalingSocket(HostServices services, SignalingRegistry registry, PairingToken token, String remoteIp,
            boolean viaTunnel, RateLimiter rateLimiter) {
        this.services = services;
        this.registry = registry;
        this.token = token;
        this.remoteIp = remoteIp;
        this.viaTunnel = viaTunnel;
        this.rateLimiter = rateLimiter;
        this.upgrade = registry.nextUpgrade();
    }

    /** Returns the order number of this socket's upgrade among all signaling sockets. */
    long upgrade() {
        return upgrade;
    }

    @Override
    public void onWebSocketOpen(Session newSession) {
        this.session = newSession;
        if (token == null) {
            close(SignalingRegistry.CLOSE_INVALID_TOKEN, "Invalid or expired token");
            return;
        }
        if (!registry.register(token.token(), this)) {
            LOG.info("Signaling for token {} replaced before it opened by a newer connection", token.prefix());
            return;
        }
        String path = ClientAddresses.connectionPath(remoteIp, viaTunnel);
        services.tokens().updateDevice(token.token(), device -> device.withConnection(remoteIp, path, Instant.now()));
        LOG.info("Signaling opened for {} (token {}) from the {} path", token.displayName(), token.prefix(), path);
    }

    @Override
    public synchronized void onWebSocketText(String text) {
        if (token == null) {
            return;
        }
        if (!rateLimiter.tryAcquire()) {
            rejectedMessages++;
            if (rejectedMessages == 1 || rejectedMessages % 100 == 0) {
                LOG.warn("Signaling for token {}: {} message(s) dropped by the rate limit", token.prefix(),
                        rejectedMessages);
            }
            if (rejectedMessages > 1000) {
                close(StatusCode.POLICY_VIOLATION, "Too many messages");
            } else if (rejectedMessages == 1) {
                sendError("Too many messages; slow down");
            }
            return;
        }
        SignalingMessages.Message message = SignalingMessages.parse(text);
        if (message instanceof SignalingMessages.Invalid invalid) {
            sendError(invalid.error());
            return;
        }
        if (!registry.isCurrent(token.token(), this)) {
            // A newer socket for the same token took over; this one is closing with 4002.
            return;
        }
        services.tokens().updateDevice(token.token(), device -> device.withLastSeen(Instant.now()));
        if (message instanceof SignalingMessages.Offer offer) {
            offer(offer);
        } else if (message instanceof SignalingMessages.Candidate candidate) {
            candidate(candidate.candidate());
        } else if (message instanceof SignalingMessages.Location location) {
            updateLocation(location.location());
        } else {
            LOG.debug("Signaling for token {}: ignoring a message of a type the host does not act on", token.prefix());
        }
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        callback.succeed();
        sendError("Binary frames are not supported; send JSON text frames");
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        if (token != null) {
            registry.unregister(token.token(), this);
            LOG.debug("Signaling for token {} closed: {} {}", token.prefix(), statusCode, reason);
        }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        LOG.debug("Signaling error{}: {}", token == null ? "" : " for token " + token.prefix(), cause.toString());
    }

    private void offer(SignalingMessages.Offer offer) {
        ConnectionType sessionType = offer.requestedType() == ConnectionType.TEMP
                ? ConnectionType.TEMP : token.connectionType();
        if (offer.deviceName() != null) {
            services.tokens().updateDevice(token.token(), device -> device.withName(offer.deviceName()));
        }
        updateLocation(offer.location());

        if (!services.engine().status().available()) {
            sendError("The host's WebRTC engine is unavailable: " + services.engine().status().detail());
            return;
        }
        PairingToken current = services.tokens().validate(token.token()).orElse(null);
        if (current == null) {
            close(SignalingRegistry.CLOSE_INVALID_TOKEN, "Invalid or expired token");
            return;
        }
        PeerEvents events = new PeerEvents();
        try {
            peer = services.engine().openSession(current, sessionType, events);
        } catch (IllegalStateException e) {
            sendError("The host's WebRTC engine is unavailable: " + e.getMessage());
            return;
        }
        offerEvents = events;
        for (IceCandidate candidate : earlyCandidates) {
            peer.addRemoteCandidate(candidate);
        }
        earlyCandidates.clear();
        peer.applyOffer(offer.sdp());
    }

    private void candidate(IceCandidate parsed) {
        if (peer == null) {
            if (earlyCandidates.size() < 100) {
                earlyCandidates.add(parsed);
            }
            return;
        }
        peer.addRemoteCandidate(parsed);
    }

    private void updateLocation(String location) {
        if (location != null) {
            services.tokens().updateDevice(token.token(), device -> device.withLocation(location));
        }
    }

    void send(String text) {
        Session current = session;
        if (current != null && current.isOpen()) {
            current.sendText(text, Callback.NOOP);
        }
    }

    private void sendError(String message) {
        ObjectNode error = JsonResponses.object();
        error.put("type", "error");
        error.put("message", message);
        send(error.toString());
    }

    void close(int code, String reason) {
        Session current = session;
        if (current != null && current.isOpen()) {
            current.close(code, reason, Callback.NOOP);
        }
    }

    /** Forwards what the peer session sends to the socket that carried its offer, while it is open. */
    private final class PeerEvents implements SessionListener {
        private volatile boolean answered;

        @Override
        public void answer(String sdp) {
            answered = true;
            ObjectNode message = JsonResponses.object();
            message.put("type", "answer");
            message.put("sdp", sdp);
            sendToOfferSocket(message.toString());
        }

        @Override
        public void localCandidate(IceCandidate candidate) {
            ObjectNode message = JsonResponses.object();
            message.put("type", "ice_candidate");
            ObjectNode body = message.putObject("candidate");
            body.put("candidate", candidate.candidate());
            body.put("sdpMid", candidate.sdpMid());
            if (candidate.sdpMLineIndex() == null) {
                body.putNull("sdpMLineIndex");
            } else {
                body.put("sdpMLineIndex", candidate.sdpMLineIndex());
            }
            sendToOfferSocket(message.toString());
        }

        @Override
        public void closed(String reason) {
            LOG.debug("Peer session of token {} closed: {}", token.prefix(), reason);
            // An offer the engine rejects, such as an invalid SDP, ends its session before any
            // answer. The error frame gives the phone the reason, so it does not wait for an answer.
            if (!answered && offerEvents == this) {
                sendError("The offer could not be answered: " + reason);
            }
        }

        private void sendToOfferSocket(String text) {
            send(text);
        }
    }
}
