package io.contop.host.itests.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCCertificatePEM;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A minimal answering peer that replaces the daemon in the harness's own tests, so that the
 * phone clients can be checked without the daemon.
 *
 * <p>It serves {@code /ws/signaling} with Jetty on the given address, accepts only
 * {@link #TOKEN} (any other token is closed with 4001), answers each offer with a send-only test
 * video track and a fixed self-signed ECDSA certificate whose fingerprint is
 * {@link #fingerprint()}, sends {@code state_update} and then one {@code keepalive} when
 * {@code contop} opens, records every message the phone sends on {@code contop}, and closes the
 * peer connection on {@code session_end}. It implements only what those tests need and checks
 * none of the input rules that the daemon enforces.
 */
public final class StubHost implements AutoCloseable {

    static final String TOKEN = "stub-token";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FRAME_WIDTH = 320;
    private static final int FRAME_HEIGHT = 240;

    private final String address;
    private final Server server;
    private final RTCCertificatePEM certificate;
    private final String fingerprint;
    private final PeerConnectionFactory factory;
    private final CustomVideoSource videoSource;
    private final VideoTrack videoTrack;
    private final ScheduledExecutorService frameTimer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService closer = Executors.newSingleThreadExecutor();
    private final List<RTCPeerConnection> peerConnections = new ArrayList<>();
    private final EventLog received = new EventLog("StubHost", () -> "");

    StubHost(String address) throws Exception {
        this.address = address;
        KeyPair keys = generateKeys();
        byte[] certificateDer = selfSign(keys);
        this.fingerprint = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(certificateDer));
        this.certificate = new RTCCertificatePEM(pem("PRIVATE KEY", keys.getPrivate().getEncoded()),
                pem("CERTIFICATE", certificateDer), Instant.now().plus(Duration.ofDays(1)).toEpochMilli());

        this.factory = new PeerConnectionFactory(new HeadlessAudioDeviceModule());
        this.videoSource = new CustomVideoSource();
        this.videoTrack = factory.createVideoTrack("stub-video", videoSource);
        frameTimer.scheduleAtFixedRate(this::pushFrame, 0, 66, TimeUnit.MILLISECONDS);

        this.server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(address);
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(WebSocketUpgradeHandler.from(server, container ->
                container.addMapping("/ws/signaling", (request, response, callback) -> {
                    Fields query = Request.extractQueryParameters(request);
                    return new SignalingEndpoint(TOKEN.equals(query.getValue("token")));
                })));
        server.start();
    }

    /** Returns the signaling URL with {@code token}, as a phone in the namespace reaches it. */
    String signalingUrl(String token) {
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        return "ws://" + address + ":" + port + "/ws/signaling?token=" + token;
    }

    /** Returns the SHA-256 fingerprint of the certificate in every answer, as the QR's {@code d} would carry it. */
    String fingerprint() {
        return fingerprint;
    }

    /** Waits for the next message of JSON type {@code type} that a phone sent on {@code contop}. */
    JsonNode awaitMessage(String type, Duration timeout) {
        return received.await("message", message -> type.equals(message.path("data").path("type").asText()), timeout);
    }

    @Override
    public void close() throws Exception {
        server.stop();
        frameTimer.shutdownNow();
        closer.shutdown();
        closer.awaitTermination(5, TimeUnit.SECONDS);
        synchronized (peerConnections) {
            peerConnections.forEach(RTCPeerConnection::close);
            peerConnections.clear();
        }
        // The track and its source stay allocated, because webrtc-java 0.14.0 refuses to dispose a
        // track that a closed peer connection's sender still references.
        factory.dispose();
    }

    /** Closes {@code peerConnection} unless it is already closed, because webrtc-java fails on a second close. */
    private void closePeerConnection(RTCPeerConnection peerConnection) {
        synchronized (peerConnections) {
            if (peerConnections.remove(peerConnection)) {
                peerConnection.close();
            }
        }
    }

    private void pushFrame() {
        NativeI420Buffer buffer = NativeI420Buffer.allocate(FRAME_WIDTH, FRAME_HEIGHT);
        // Mid-grey luma with neutral chroma. Only the frame flow matters, not the content.
        fill(buffer.getDataY(), (byte) 128);
        fill(buffer.getDataU(), (byte) 128);
        fill(buffer.getDataV(), (byte) 128);
        VideoFrame frame = new VideoFrame(buffer, System.nanoTime());
        try {
            videoSource.pushFrame(frame);
        } finally {
            frame.release();
        }
    }

    private static void fill(ByteBuffer plane, byte value) {
        while (plane.hasRemaining()) {
            plane.put(value);
        }
    }

    /**
     * One signaling WebSocket and the peer connection it negotiates. Public because Jetty calls
     * the listener methods through a public method lookup.
     */
    public final class SignalingEndpoint implements Session.Listener.AutoDemanding {
        private final boolean tokenValid;
        private final List<RTCIceCandidate> pendingCandidates = new ArrayList<>();
        private volatile Session session;
        private RTCPeerConnection peerConnection;
        private boolean remoteDescriptionSet;

        SignalingEndpoint(boolean tokenValid) {
            this.tokenValid = tokenValid;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            if (!tokenValid) {
                session.close(4001, "invalid token", Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketText(String text) {
            JsonNode message;
            try {
                message = JSON.readTree(text);
            } catch (Exception e) {
                return;
            }
            switch (message.path("type").asText()) {
                case "offer" -> onOffer(message.path("sdp").asText());
                case "ice_candidate" -> onCandidate(message.path("candidate"));
                default -> { }
            }
        }

        private void onOffer(String sdp) {
            RTCConfiguration configuration = new RTCConfiguration();
            configuration.iceServers = new ArrayList<>();
            configuration.certificates = new ArrayList<>(List.of(certificate));
            peerConnection = factory.createPeerConnection(configuration, new PeerConnectionObserver() {
                @Override
                public void onIceCandidate(RTCIceCandidate candidate) {
                    ObjectNode body = JSON.createObjectNode().put("candidate", candidate.sdp)
                            .put("sdpMid", candidate.sdpMid).put("sdpMLineIndex", candidate.sdpMLineIndex);
                    ObjectNode message = JSON.createObjectNode().put("type", "ice_candidate");
                    message.set("candidate", body);
                    send(message.toString());
                }

                @Override
                public void onDataChannel(RTCDataChannel channel) {
                    channel.registerObserver(new HostChannelObserver(channel, peerConnection));
                }
            });
            synchronized (peerConnections) {
                peerConnections.add(peerConnection);
            }

            peerConnection.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, sdp), new SetSessionDescriptionObserver() {
                @Override
                public void onSuccess() {
                    // The offer's receive-only video transceiver picks up this track, so the answer is send-only.
                    peerConnection.addTrack(videoTrack, List.of("stub-stream"));
                    applyPendingCandidates();
                    createAnswer();
                }

                @Override
                public void onFailure(String error) {
                    System.err.println("StubHost: setRemoteDescription(offer) failed: " + error);
                }
            });
        }

        private void createAnswer() {
            peerConnection.createAnswer(new RTCAnswerOptions(), new CreateSessionDescriptionObserver() {
                @Override
                public void onSuccess(RTCSessionDescription answer) {
                    peerConnection.setLocalDescription(answer, new SetSessionDescriptionObserver() {
                        @Override
                        public void onSuccess() {
                            send(JSON.createObjectNode().put("type", "answer").put("sdp", answer.sdp).toString());
                        }

                        @Override
                        public void onFailure(String error) {
                            System.err.println("StubHost: setLocalDescription(answer) failed: " + error);
                        }
                    });
                }

                @Override
                public void onFailure(String error) {
                    System.err.println("StubHost: createAnswer failed: " + error);
                }
            });
        }

        private synchronized void onCandidate(JsonNode candidate) {
            String sdp = candidate.path("candidate").asText("");
            if (sdp.isEmpty()) {
                return;
            }
            RTCIceCandidate iceCandidate = new RTCIceCandidate(candidate.path("sdpMid").asText("0"),
                    candidate.path("sdpMLineIndex").asInt(0), sdp);
            if (remoteDescriptionSet) {
                peerConnection.addIceCandidate(iceCandidate);
            } else {
                pendingCandidates.add(iceCandidate);
            }
        }

        private final Object sendLock = new Object();

        private synchronized void applyPendingCandidates() {
            remoteDescriptionSet = true;
            pendingCandidates.forEach(peerConnection::addIceCandidate);
            pendingCandidates.clear();
        }

        private void send(String text) {
            Session current = session;
            if (current == null || !current.isOpen()) {
                return;
            }
            CompletableFuture<Void> sent = new CompletableFuture<>();
            // A lock of its own: webrtc-java calls send from its signaling thread, while another
            // thread may hold this endpoint's monitor inside a native call that waits for that
            // same signaling thread.
            synchronized (sendLock) {
                current.sendText(text, Callback.from(() -> sent.complete(null), sent::completeExceptionally));
            }
            sent.orTimeout(5, TimeUnit.SECONDS).exceptionally(error -> {
                System.err.println("StubHost: signaling send failed: " + error);
                return null;
            });
        }
    }

    /** Sends the greeting when {@code contop} opens and records what the phone sends on it. */
    private final class HostChannelObserver implements RTCDataChannelObserver {
        private final RTCDataChannel channel;
        private final RTCPeerConnection peerConnection;

        HostChannelObserver(RTCDataChannel channel, RTCPeerConnection peerConnection) {
            this.channel = channel;
            this.peerConnection = peerConnection;
        }

        @Override
        public void onStateChange() {
            if (!"contop".equals(channel.getLabel()) || channel.getState() != RTCDataChannelState.OPEN) {
                return;
            }
            ObjectNode payload = JSON.createObjectNode().put("ai_state", "idle").put("connection_type", "permanent")
                    .put("keep_host_awake", false);
            payload.set("provider_auth", JSON.createObjectNode());
            send(envelope("state_update", payload));
            send(envelope("keepalive", JSON.createObjectNode()));
        }

        @Override
        public void onBufferedAmountChange(long previousAmount) {
        }

        @Override
        public void onMessage(RTCDataChannelBuffer buffer) {
            byte[] bytes = new byte[buffer.data.remaining()];
            buffer.data.get(bytes);
            JsonNode data;
            try {
                data = JSON.readTree(bytes);
            } catch (Exception e) {
                data = JSON.getNodeFactory().textNode(new String(bytes, StandardCharsets.UTF_8));
            }
            ObjectNode event = JSON.createObjectNode().put("event", "message").put("label", channel.getLabel());
            event.set("data", data);
            received.add(event);
            if ("session_end".equals(data.path("type").asText())) {
                // Closing from inside a WebRTC callback can deadlock, so close on another thread.
                closer.execute(() -> closePeerConnection(peerConnection));
            }
        }

        private String envelope(String type, ObjectNode payload) {
            ObjectNode message = JSON.createObjectNode().put("type", type).put("id", UUID.randomUUID().toString());
            message.set("payload", payload);
            return message.toString();
        }

        private void send(String text) {
            try {
                channel.send(new RTCDataChannelBuffer(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), false));
            } catch (Exception e) {
                System.err.println("StubHost: send on contop failed: " + e);
            }
        }
    }

    private static KeyPair generateKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static byte[] selfSign(KeyPair keys) throws Exception {
        X500Name subject = new X500Name("CN=contop-stub-host");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
        try {
            X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
            return holder.getEncoded();
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("Signing the stub certificate failed", e);
        }
    }

    private static String pem(String type, byte[] der) {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
    }
}
