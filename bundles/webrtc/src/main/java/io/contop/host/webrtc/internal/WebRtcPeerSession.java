package io.contop.host.webrtc.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.video.VideoTrack;
import io.contop.host.api.ConnectionType;
import io.contop.host.api.IceCandidate;
import io.contop.host.api.PairingToken;
import io.contop.host.api.PeerSession;
import io.contop.host.api.SessionListener;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peer connection answering a phone's offer. Every call into the peer connection runs on the
 * engine's session executor, never on a webrtc-java callback thread, so callbacks never re-enter
 * native code that is busy on their own thread.
 *
 * <p>No exception may leave a webrtc-java callback, because one that reaches native code aborts
 * the JVM: callbacks hand their work to {@link #runOnSessionThread} or catch what they call.
 */
final class WebRtcPeerSession implements PeerSession, PeerConnectionObserver {
    static final String CONTROL_CHANNEL = "contop";
    static final String FAST_CHANNEL = "contop-fast";

    private static final Logger LOG = LoggerFactory.getLogger(WebRtcPeerSession.class);

    private final PairingToken token;
    private final ConnectionType sessionType;
    private final SessionListener listener;
    private final Executor executor;
    private final SessionHost host;
    private final Map<String, RTCDataChannel> channels = new ConcurrentHashMap<>();
    private final List<ChannelObserver> channelObservers = new ArrayList<>();
    private final List<IceCandidate> queuedCandidates = new ArrayList<>();
    private final java.util.Set<String> openedChannels = ConcurrentHashMap.newKeySet();

    private RTCPeerConnection connection;
    private final List<RTCRtpSender> senders = new ArrayList<>();
    private VideoTrack videoTrack;
    private boolean remoteDescriptionSet;
    private boolean offerReceived;
    private volatile boolean closed;
    private volatile boolean connected;
    /** True from sending a keepalive until the next message from the phone, whatever its type. */
    private volatile boolean keepaliveUnanswered;
    private volatile int missedKeepalives;
    private volatile boolean reportedUnresponsive;

    /** Engine services that a session calls: peer connection, video track, state update and reports. */
    interface SessionHost {
        RTCPeerConnection createPeerConnection(PairingToken token, PeerConnectionObserver observer);

        /** Returns true once the engine disposed its factory; called on the session executor. */
        boolean factoryDisposed();

        /**
         * Closes a peer connection from {@link #createPeerConnection} and frees its native memory,
         * with that of the senders its {@code addTrack} returned.
         */
        void closePeerConnection(RTCPeerConnection connection, List<RTCRtpSender> senders);

        VideoTrack createVideoTrack();

        void releaseVideoTrack(VideoTrack track);

        String stateUpdate(ConnectionType sessionType);

        void connectionChanged(WebRtcPeerSession session, boolean nowConnected);

        void sessionClosed(WebRtcPeerSession session, String reason);
    }

    WebRtcPeerSession(PairingToken token, ConnectionType sessionType, SessionListener listener, Executor executor,
            SessionHost host) {
        this.token = token;
        this.sessionType = sessionType;
        this.listener = listener;
        this.executor = executor;
        this.host = host;
    }

    /** Creates the peer connection; called once on the session executor. */
    void start() {
        if (closed) {
            return;
        }
        connection = host.createPeerConnection(token, this);
        videoTrack = host.createVideoTrack();
        if (videoTrack != null) {
            senders.add(connection.addTrack(videoTrack, List.of("contop-screen")));
        }
    }

    @Override
    public PairingToken token() {
        return token;
    }

    @Override
    public ConnectionType sessionType() {
        return sessionType;
    }

    @Override
    public boolean isConnected() {
        return connected && !closed;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void applyOffer(String sdp) {
        runOnSessionThread(() -> {
            if (closed) {
                return;
            }
            if (offerReceived) {
                LOG.debug("Session {}: ignoring a second offer", token.prefix());
                return;
            }
            offerReceived = true;
            try {
                connection.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, sdp),
                        new SetObserver("apply the offer", () -> runOnSessionThread(this::createAnswer)));
            } catch (RuntimeException | Error e) {
                // webrtc-java 0.14.0 throws java.lang.Error ("Create session description failed: ...")
                // for an SDP that does not parse, instead of calling the observer's onFailure.
                if (e instanceof VirtualMachineError) {
                    throw e;
                }
                fail("apply the offer", e.getMessage());
            }
        });
    }

    private void createAnswer() {
        if (closed) {
            return;
        }
        remoteDescriptionSet = true;
        for (IceCandidate candidate : queuedCandidates) {
            addCandidateNow(candidate);
        }
        queuedCandidates.clear();
        connection.createAnswer(new RTCAnswerOptions(), new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription answer) {
                runOnSessionThread(() -> setLocalAnswer(answer));
            }

            @Override
            public void onFailure(String error) {
                fail("create the answer", error);
            }
        });
    }

    private void setLocalAnswer(RTCSessionDescription answer) {
        if (closed) {
            return;
        }
        connection.setLocalDescription(answer, new SetObserver("apply the answer", () -> runOnSessionThread(() -> {
            if (!closed) {
                listener.answer(answer.sdp);
            }
        })));
    }

    @Override
    public void addRemoteCandidate(IceCandidate candidate) {
        runOnSessionThread(() -> {
            if (closed || candidate == null) {
                return;
            }
            if (!remoteDescriptionSet) {
                queuedCandidates.add(candidate);
                return;
            }
            addCandidateNow(candidate);
        });
    }

    private void addCandidateNow(IceCandidate candidate) {
        int index = candidate.sdpMLineIndex() == null ? 0 : candidate.sdpMLineIndex();
        String mid = candidate.sdpMid() == null ? "" : candidate.sdpMid();
        try {
            connection.addIceCandidate(new RTCIceCandidate(mid, index, candidate.candidate()));
        } catch (RuntimeException e) {
            LOG.debug("Session {}: remote candidate rejected: {}", token.prefix(), e.getMessage());
        }
    }

    @Override
    public void close(String reason) {
        runOnSessionThread(() -> closeNow(reason));
    }

    /** Closes the session; runs on the session executor. */
    void closeNow(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        boolean wasConnected = connected;
        connected = false;
        closeChannels();
        if (connection != null) {
            host.closePeerConnection(connection, List.copyOf(senders));
            connection = null;
            senders.clear();
        }
        queuedCandidates.clear();
        if (videoTrack != null) {
            host.releaseVideoTrack(videoTrack);
            videoTrack = null;
        }
        if (wasConnected) {
            host.connectionChanged(this, false);
        }
        host.sessionClosed(this, reason);
        listener.closed(reason);
    }

    /**
     * Closes the data channels and detaches their observers. webrtc-java 0.14.0 never frees the
     * native observer wrapper, whose JNI global reference would otherwise keep this session, its
     * listener and its peer connection reachable for the life of the process.
     */
    private void closeChannels() {
        for (ChannelObserver observer : channelObservers) {
            observer.detach();
        }
        channelObservers.clear();

        for (RTCDataChannel channel : channels.values()) {
            try {
                channel.unregisterObserver();
                channel.close();
            } catch (RuntimeException e) {
                LOG.debug("Session {}: closing a data channel failed: {}", token.prefix(), e.toString());
            }
            releaseJavaReference(channel);
        }
        channels.clear();
    }

    /**
     * Drops the native reference that webrtc-java hands to each data channel's Java object. The
     * peer connection keeps its own reference until it is freed, and dispose() reports that with
     * an Error.
     */
    private void releaseJavaReference(RTCDataChannel channel) {
        try {
            channel.dispose();
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError) {
                throw e;
            }
            LOG.trace("Session {}: data channel still referenced by its peer connection", token.prefix());
        }
    }

    /**
     * Sends a keepalive on {@code contop} once it is open. A keepalive counts as missed when the
     * next one is due and no message of any type came from the phone since it was sent; after
     * {@code unresponsiveAfter} missed in a row the session is reported unresponsive, once, and
     * stays open.
     */
    void keepalive(int unresponsiveAfter) {
        runOnSessionThread(() -> {
            if (closed || !openedChannels.contains(CONTROL_CHANNEL)) {
                return;
            }
            if (keepaliveUnanswered) {
                missedKeepalives++;
            }
            if (missedKeepalives >= unresponsiveAfter && !reportedUnresponsive) {
                reportedUnresponsive = true;
                LOG.warn("Session {} of {} is unresponsive: {} keepalives unanswered; keeping it open",
                        token.prefix(), token.displayName(), missedKeepalives);
            }
            keepaliveUnanswered = true;
            send(CONTROL_CHANNEL, Envelopes.keepalive());
        });
    }

    int missedKeepalives() {
        return missedKeepalives;
    }

    private void send(String label, String text) {
        RTCDataChannel channel = channels.get(label);
        if (channel == null || channel.getState() != RTCDataChannelState.OPEN) {
            return;
        }
        try {
            channel.send(new RTCDataChannelBuffer(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), false));
        } catch (Exception e) {
            LOG.debug("Session {}: send on {} failed: {}", token.prefix(), label, e.toString());
        }
    }

    // PeerConnectionObserver callbacks arrive on webrtc-java threads; each hands its work to the executor.

    @Override
    public void onIceCandidate(RTCIceCandidate candidate) {
        IceCandidate local = new IceCandidate(candidate.sdp, candidate.sdpMid, candidate.sdpMLineIndex);
        runOnSessionThread(() -> {
            if (!closed) {
                listener.localCandidate(local);
            }
        });
    }

    @Override
    public void onConnectionChange(RTCPeerConnectionState state) {
        runOnSessionThread(() -> {
            if (closed) {
                return;
            }
            boolean nowConnected = state == RTCPeerConnectionState.CONNECTED;
            if (nowConnected != connected) {
                connected = nowConnected;
                host.connectionChanged(this, nowConnected);
            }
            if (state == RTCPeerConnectionState.FAILED) {
                closeNow("the connection failed");
            }
        });
    }

    @Override
    public void onDataChannel(RTCDataChannel channel) {
        runOnSessionThread(() -> {
            String label = channel.getLabel();
            if (closed || !(CONTROL_CHANNEL.equals(label) || FAST_CHANNEL.equals(label))) {
                LOG.debug("Session {}: ignoring data channel", token.prefix());
                releaseJavaReference(channel);
                return;
            }
            channels.put(label, channel);
            ChannelObserver observer = new ChannelObserver(this, channel, label);
            channelObservers.add(observer);
            channel.registerObserver(observer);
            if (channel.getState() == RTCDataChannelState.OPEN) {
                channelOpened(label);
            }
        });
    }

    private void channelOpened(String label) {
        if (!openedChannels.add(label)) {
            return;
        }
        LOG.debug("Session {}: channel {} open", token.prefix(), label);
        if (CONTROL_CHANNEL.equals(label)) {
            send(CONTROL_CHANNEL, host.stateUpdate(sessionType));
        }
    }

    private void messageReceived(RTCDataChannelBuffer buffer) {
        keepaliveUnanswered = false;
        missedKeepalives = 0;
        if (reportedUnresponsive) {
            reportedUnresponsive = false;
            LOG.info("Session {} of {} is responsive again", token.prefix(), token.displayName());
        }
        if (buffer.binary) {
            return;
        }
        ByteBuffer data = buffer.data;
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        String type = messageType(bytes);
        if (Envelopes.TYPE_SESSION_END.equals(type)) {
            runOnSessionThread(() -> closeNow("the phone ended the session"));
        }
    }

    private static String messageType(byte[] bytes) {
        try {
            JsonNode message = Envelopes.mapper().readTree(bytes);
            return message != null && message.path("type").isTextual() ? message.get("type").asText() : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private void fail(String step, String error) {
        LOG.warn("Session {}: could not {}: {}", token.prefix(), step, error);
        runOnSessionThread(() -> closeNow("could not " + step + ": " + error));
    }

    /**
     * Runs {@code task} on the session executor. Safe to call from a webrtc-java callback: nothing
     * is thrown, and a task that the stopped executor rejects, or that fails, is logged.
     */
    private void runOnSessionThread(Runnable task) {
        try {
            executor.execute(() -> {
                if (host.factoryDisposed()) {
                    // Every webrtc-java object of this session is gone with the factory.
                    return;
                }
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("Session {}: task failed: {}", token.prefix(), e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("Session {}: engine stopped, dropping a task", token.prefix());
        }
    }

    /**
     * Observes one data channel; the buffer is read before the callback returns. The observer is
     * static and drops its session on {@link #detach()}, because the library keeps it reachable
     * after the session ends.
     */
    private static final class ChannelObserver implements RTCDataChannelObserver {
        private final String label;
        private volatile WebRtcPeerSession session;
        private volatile RTCDataChannel channel;

        ChannelObserver(WebRtcPeerSession session, RTCDataChannel channel, String label) {
            this.session = session;
            this.channel = channel;
            this.label = label;
        }

        void detach() {
            session = null;
            channel = null;
        }

        @Override
        public void onBufferedAmountChange(long previousAmount) {
        }

        @Override
        public void onStateChange() {
            WebRtcPeerSession owner = session;
            RTCDataChannel observed = channel;
            if (owner == null || observed == null) {
                return;
            }
            try {
                if (observed.getState() == RTCDataChannelState.OPEN) {
                    owner.runOnSessionThread(() -> {
                        if (!owner.closed) {
                            owner.channelOpened(label);
                        }
                    });
                }
            } catch (RuntimeException e) {
                LOG.debug("Session {}: state of channel {} unreadable: {}", owner.token.prefix(), label, e.toString());
            }
        }

        @Override
        public void onMessage(RTCDataChannelBuffer buffer) {
            WebRtcPeerSession owner = session;
            if (owner == null) {
                return;
            }
            try {
                owner.messageReceived(buffer);
            } catch (RuntimeException e) {
                LOG.debug("Session {}: message on {} dropped: {}", owner.token.prefix(), label, e.toString());
            }
        }
    }

    /** Runs a step when a description is applied, or closes the session when it fails. */
    private final class SetObserver implements SetSessionDescriptionObserver {
        private final String step;
        private final Runnable next;

        SetObserver(String step, Runnable next) {
            this.step = step;
            this.next = next;
        }

        @Override
        public void onSuccess() {
            next.run(); // Each step passed in only calls runOnSessionThread, which catches what the executor throws.
        }

        @Override
        public void onFailure(String error) {
            fail(step, error);
        }
    }
}
