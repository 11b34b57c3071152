package io.contop.host.transport.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
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
    static final int MAX_DEVICE_NAME = 64;
    static final int MAX_LOCATION = 128;
    static final int MAX_CANDIDATE = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(SignalingSocket.class);

    private final HostServices services;
    private final SignalingRegistry registry;
    private final PairingToken token;
    private final String remoteIp;
    private final boolean viaTunnel;
    private final RateLimiter rateLimiter;
    private final List<IceCandidate> earlyCandidates = new ArrayList<>();
    private volatile Session session;
    private PeerSession peer;
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
    }

    @Override
    public void onWebSocketOpen(Session newSession) {
        this.session = newSession;
        if (token == null) {
            close(SignalingRegistry.CLOSE_INVALID_TOKEN, "Invalid or expired token");
            return;
        }
        registry.register(token.token(), this);
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
        JsonNode message;
        try {
            message = JsonResponses.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            sendError("Message is not valid JSON");
            return;
        }
        if (message == null || !message.isObject()) {
            sendError("Message must be a JSON object");
            return;
        }
        JsonNode type = message.get("type");
        if (type == null || !type.isTextual()) {
            sendError("Message needs a string field \"type\"");
            return;
        }
        services.tokens().updateDevice(token.token(), device -> device.withLastSeen(Instant.now()));
        switch (type.asText()) {
            case "offer" -> offer(message);
            case "ice_candidate" -> candidate(message);
            case "device_location" -> location(message.get("location"));
            default -> LOG.debug("Signaling for token {}: ignoring message type", token.prefix());
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

    private void offer(JsonNode message) {
        JsonNode sdp = message.get("sdp");
        if (sdp == null || !sdp.isTextual() || sdp.asText().isBlank()) {
            sendError("An offer needs a string field \"sdp\"");
            return;
        }
        JsonNode requestedType = message.get("connection_type");
        ConnectionType sessionType = token.connectionType();
        if (requestedType != null && !requestedType.isNull()) {
            if (!requestedType.isTextual() || ConnectionType.fromWireName(requestedType.asText()).isEmpty()) {
                sendError("connection_type must be permanent or temp");
                return;
            }
            if (ConnectionType.fromWireName(requestedType.asText()).get() == ConnectionType.TEMP) {
                sessionType = ConnectionType.TEMP;
            }
        }
        JsonNode name = message.get("device_name");
        if (name != null && name.isTextual() && !name.asText().isBlank()) {
            String deviceName = limit(name.asText(), MAX_DEVICE_NAME);
            services.tokens().updateDevice(token.token(), device -> device.withName(deviceName));
        }
        location(message.get("device_location"));

        if (!services.engine().status().available()) {
            sendError("The host's WebRTC engine is unavailable: " + services.engine().status().detail());
            return;
        }
        PairingToken current = services.tokens().validate(token.token()).orElse(null);
        if (current == null) {
            close(SignalingRegistry.CLOSE_INVALID_TOKEN, "Invalid or expired token");
            return;
        }
        peer = services.engine().openSession(current, sessionType, new PeerEvents());
        for (IceCandidate candidate : earlyCandidates) {
            peer.addRemoteCandidate(candidate);
        }
        earlyCandidates.clear();
        peer.applyOffer(sdp.asText());
    }

    private void candidate(JsonNode message) {
        JsonNode candidate = message.get("candidate");
        if (candidate == null || candidate.isNull()) {
            return;
        }
        if (!candidate.isObject()) {
            sendError("\"candidate\" must be an object or null");
            return;
        }
        JsonNode line = candidate.get("candidate");
        if (line == null || line.isNull() || (line.isTextual() && line.asText().isEmpty())) {
            return;
        }
        JsonNode mid = candidate.get("sdpMid");
        JsonNode index = candidate.get("sdpMLineIndex");
        if (!line.isTextual() || line.asText().length() > MAX_CANDIDATE
                || (mid != null && !mid.isNull() && !mid.isTextual())
                || (index != null && !index.isNull() && !(index.isInt() && index.asInt() >= 0))) {
            sendError("Invalid ICE candidate: expected candidate (string), sdpMid (string or null) and "
                    + "sdpMLineIndex (non-negative integer or null)");
            return;
        }
        if ((mid == null || mid.isNull()) && (index == null || index.isNull())) {
            sendError("Invalid ICE candidate: sdpMid or sdpMLineIndex is required");
            return;
        }
        IceCandidate parsed = new IceCandidate(line.asText(), mid == null || mid.isNull() ? null : mid.asText(),
                index == null || index.isNull() ? null : index.asInt());
        if (peer == null) {
            if (earlyCandidates.size() < 100) {
                earlyCandidates.add(parsed);
            }
            return;
        }
        peer.addRemoteCandidate(parsed);
    }

    private void location(JsonNode location) {
        if (location == null || location.isNull()) {
            return;
        }
        if (!location.isTextual()) {
            sendError("location must be a string");
            return;
        }
        String value = limit(location.asText(), MAX_LOCATION);
        services.tokens().updateDevice(token.token(), device -> device.withLocation(value));
    }

    private static String limit(String value, int maxLength) {
        StringBuilder clean = new StringBuilder(Math.min(value.length(), maxLength));
        value.codePoints()
                .filter(codePoint -> !Character.isISOControl(codePoint))
                .limit(maxLength)
                .forEach(clean::appendCodePoint);
        return clean.toString().strip();
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

        @Override
        public void answer(String sdp) {
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
        }

        private void sendToOfferSocket(String text) {
            send(text);
        }
    }
}
