package io.contop.host.itests.phone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceConnectionState;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted Contop phone on webrtc-java, meant to run as its own process inside a test network
 * namespace (see {@code PhoneProcess}).
 *
 * <p>It connects to the signaling WebSocket, offers two data channels ({@code contop}, ordered and
 * reliable; {@code contop-fast}, unordered with no retransmits) and a receive-only video
 * transceiver, trickles ICE candidates, and checks that the answer's
 * {@code a=fingerprint:sha-256} equals the fingerprint from the QR before applying it. After both
 * channels open it sends the configured messages, stays connected for the configured time while
 * replying to keepalives, optionally sends {@code session_end}, and closes. No STUN or TURN server
 * is configured, so only host candidates are gathered.
 *
 * <p>Standard output carries one JSON object per line, and standard error carries diagnostics.
 * Events, in the order they usually occur:
 * <pre>
 * {"event":"signaling_open"}
 * {"event":"answer","fingerprint":"AB:CD:...","sdp":"v=0..."}   fingerprint is null when the answer has none
 * {"event":"fingerprint_match","match":true,"expected":"AB:CD:...","actual":"AB:CD:..."}
 * {"event":"ice_connection_state","state":"connected"}  each RTCIceConnectionState, lower case
 * {"event":"connection_state","state":"connected"}      each RTCPeerConnectionState, lower case
 * {"event":"channel_open","label":"contop"}             and the same for "contop-fast"
 * {"event":"track","kind":"video"}
 * {"event":"video_frame","width":640,"height":480}      first decoded frame, then each change of size
 * {"event":"message","label":"contop","data":{...}}     data is the parsed JSON, else the text;
 *                                                       binary messages add "binary":true, data in base64
 * {"event":"sent","label":"contop","data":{...}}        every message the phone sends on a channel
 * {"event":"signaling_message","data":{...}}            host signaling frames other than answer and ice_candidate
 * {"event":"channel_closed","label":"contop"}           closed by the host, not by the phone's own shutdown
 * {"event":"signaling_closed","code":4001,"reason":"..."}
 * {"event":"signaling_error","message":"..."}
 * {"event":"done","closed_by_host":false,"closed_after_session_end":true,"video_frames":42}
 * {"event":"error","message":"..."}                     the last line of a failed run
 * </pre>
 * {@code closed_by_host} is true when the host ended the session during the stay;
 * {@code closed_after_session_end} is true when the host closed the session within 3 seconds of
 * {@code session_end} (absent when none was sent). The phone replies to a keepalive by echoing
 * it with the same id, as {@code {"type":"keepalive","id":<id>,"payload":{}}}.
 *
 * <p>Exit status: {@value #EXIT_OK} success, {@value #EXIT_ERROR} any failure (including the
 * signaling socket closing before the answer), {@value #EXIT_FINGERPRINT_MISMATCH} fingerprint
 * mismatch, {@value #EXIT_USAGE} invalid options.
 */
public final class JavaPhone {

    public static final int EXIT_OK = 0;
    public static final int EXIT_ERROR = 1;
    public static final int EXIT_FINGERPRINT_MISMATCH = 2;
    public static final int EXIT_USAGE = 64;

    static final String CONTOP = "contop";
    static final String CONTOP_FAST = "contop-fast";

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration SESSION_END_WAIT = Duration.ofSeconds(3);

    /** The reason a run ended early. Its message becomes the {@code error} event. */
    private static final class PhoneFailure extends Exception {
        final int exitCode;

        PhoneFailure(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    private final PhoneOptions options;
    private final PhoneEvents events;
    private final String expectedFingerprint;

    private final CompletableFuture<PhoneFailure> failure = new CompletableFuture<>();
    private final CompletableFuture<Void> channelsOpen = new CompletableFuture<>();
    private final CompletableFuture<Void> sessionClosed = new CompletableFuture<>();
    private final AtomicInteger openChannels = new AtomicInteger();
    private final AtomicInteger videoFrames = new AtomicInteger();
    /** Width and height of the last reported frame; only the sink's thread touches it. */
    private long lastFrameSize = -1;
    private volatile boolean closingLocally;

    private final Object candidateLock = new Object();
    private final List<RTCIceCandidate> unsentLocalCandidates = new ArrayList<>();
    private final List<RTCIceCandidate> pendingRemoteCandidates = new ArrayList<>();
    private boolean offerSent;
    private boolean answerApplied;
    private boolean answerReceived;
    /** With --candidates-before-offer: the offer message, held until gathering completes. */
    private String heldOffer;
    private boolean gatheringComplete;

    private PeerConnectionFactory factory;
    private RTCPeerConnection peerConnection;
    private RTCDataChannel contop;
    private RTCDataChannel contopFast;
    private SignalingConnection signaling;

    private JavaPhone(PhoneOptions options, PhoneEvents events) {
        this.options = options;
        this.events = events;
        this.expectedFingerprint = DtlsFingerprints.normalize(options.fingerprint());
    }

    /** Runs the phone with {@code args} and exits with its status (see the class documentation). */
    public static void main(String[] args) {
        int status = EXIT_ERROR;
        try {
            status = run(args, System.out);
        } finally {
            // System.exit also in the failure case, because webrtc-java's native threads would
            // otherwise keep the JVM alive.
            System.out.flush();
            System.exit(status);
        }
    }

    /**
     * Runs the phone with {@code args}, writing events to {@code out}, and returns the exit status.
     * Interrupting the calling thread ends the run with {@value #EXIT_ERROR}.
     */
    public static int run(String[] args, PrintStream out) {
        PhoneEvents events = new PhoneEvents(out);
        JavaPhone phone;
        try {
            phone = new JavaPhone(PhoneOptions.parse(args), events);
        } catch (IllegalArgumentException e) {
            events.emit(events.create("error").put("message", e.getMessage()));
            System.err.println("JavaPhone: " + e.getMessage() + "; see the javadoc of PhoneOptions for the options");
            return EXIT_USAGE;
        }
        return phone.call();
    }

    private int call() {
        long startNanos = System.nanoTime();
        try {
            factory = new PeerConnectionFactory(new HeadlessAudioDeviceModule());
            connectSignaling();
            createPeerConnection();
            createOffer();
            awaitChannelsOpen(startNanos);
            sendConfiguredMessages();
            boolean closedByHost = stayConnected();
            Boolean closedAfterSessionEnd = closedByHost ? null : endSession();

            ObjectNode done = events.create("done").put("closed_by_host", closedByHost);
            if (closedAfterSessionEnd != null) {
                done.put("closed_after_session_end", closedAfterSessionEnd);
            }
            events.emit(done.put("video_frames", videoFrames.get()));
            return EXIT_OK;
        } catch (PhoneFailure e) {
            events.emit(events.create("error").put("message", e.getMessage()));
            return e.exitCode;
        } catch (InterruptedException e) {
            events.emit(events.create("error").put("message", "Interrupted"));
            Thread.currentThread().interrupt();
            return EXIT_ERROR;
        } catch (RuntimeException | LinkageError e) {
            events.emit(events.create("error").put("message", "Unexpected failure: " + e));
            e.printStackTrace();
            return EXIT_ERROR;
        } finally {
            closeAll();
        }
    }

    private void connectSignaling() throws PhoneFailure, InterruptedException {
        URI uri;
        try {
            uri = URI.create(options.signalingUrl());
        } catch (IllegalArgumentException e) {
            throw new PhoneFailure(EXIT_USAGE, "Invalid --signaling-url: " + e.getMessage());
        }
        try {
            signaling = SignalingConnection.connect(uri, CONNECT_TIMEOUT, new SignalingHandler());
        } catch (ExecutionException e) {
            String reason = e.getCause() instanceof WebSocketHandshakeException handshake
                    ? "the upgrade was rejected with HTTP status " + handshake.getResponse().statusCode()
                    : String.valueOf(e.getCause());
            throw new PhoneFailure(EXIT_ERROR, "Signaling connection to " + withoutQuery(uri) + " failed: " + reason);
        } catch (TimeoutException e) {
            throw new PhoneFailure(EXIT_ERROR, "Signaling connection to " + withoutQuery(uri)
                    + " timed out after " + CONNECT_TIMEOUT.toSeconds() + " s");
        }
        events.emit("signaling_open");
    }

    private final class SignalingHandler implements SignalingConnection.Handler {

        @Override
        public void onText(String text) {
            JsonNode message = PhoneEvents.parse(text);
            String type = message == null ? null : message.path("type").asText(null);
            if ("answer".equals(type)) {
                onAnswer(message.path("sdp").asText(""));
            } else if ("ice_candidate".equals(type)) {
                onRemoteCandidate(message.path("candidate"));
            } else {
                ObjectNode event = events.create("signaling_message");
                if (message == null) {
                    event.put("data", text);
                } else {
                    event.set("data", message);
                }
                events.emit(event);
            }
        }

        @Override
        public void onClosed(int code, String reason) {
            events.emit(events.create("signaling_closed").put("code", code).put("reason", reason));
            synchronized (candidateLock) {
                if (!answerReceived) {
                    fail(EXIT_ERROR, "Signaling closed before the answer arrived (code " + code + ", reason '" + reason + "')");
                }
            }
        }

        @Override
        public void onError(Throwable error) {
            events.emit(events.create("signaling_error").put("message", String.valueOf(error)));
            synchronized (candidateLock) {
                if (!answerReceived) {
                    fail(EXIT_ERROR, "Signaling failed before the answer arrived: " + error);
                }
            }
        }
    }

    private void onAnswer(String sdp) {
        List<String> fingerprints = DtlsFingerprints.sha256Lines(sdp);
        String actual = fingerprints.isEmpty() ? null : fingerprints.get(0);
        events.emit(events.create("answer").put("fingerprint", actual).put("sdp", sdp));

        boolean match = !fingerprints.isEmpty()
                && fingerprints.stream().allMatch(f -> DtlsFingerprints.stripColons(f).equals(expectedFingerprint));
        events.emit(events.create("fingerprint_match").put("match", match)
                .put("expected", DtlsFingerprints.withColons(expectedFingerprint)).put("actual", actual));
        synchronized (candidateLock) {
            answerReceived = true;
        }
        if (!match) {
            // The answer is never applied, so no DTLS handshake starts with the wrong peer.
            fail(EXIT_FINGERPRINT_MISMATCH, "Fingerprint mismatch: the answer has " + fingerprints
                    + " but the QR code has " + DtlsFingerprints.withColons(expectedFingerprint) + "; refusing to connect");
            return;
        }

        peerConnection.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, sdp),
                new SetSessionDescriptionObserver() {
                    @Override
                    public void onSuccess() {
                        List<RTCIceCandidate> queued;
                        synchronized (candidateLock) {
                            answerApplied = true;
                            queued = new ArrayList<>(pendingRemoteCandidates);
                            pendingRemoteCandidates.clear();
                        }
                        queued.forEach(JavaPhone.this::addRemoteCandidate);
                    }

                    @Override
                    public void onFailure(String error) {
                        fail(EXIT_ERROR, "setRemoteDescription(answer) failed: " + error);
                    }
                });
    }

    private void onRemoteCandidate(JsonNode candidate) {
        String sdp = candidate.path("candidate").asText("");
        if (sdp.isEmpty() || options.ignoreRemoteCandidates()) {
            // An empty candidate marks the end of the host's candidates. With
            // --ignore-remote-candidates every candidate of the host is dropped here.
            return;
        }
        RTCIceCandidate iceCandidate = new RTCIceCandidate(
                candidate.path("sdpMid").asText("0"), candidate.path("sdpMLineIndex").asInt(0), sdp);
        synchronized (candidateLock) {
            if (!answerApplied) {
                pendingRemoteCandidates.add(iceCandidate);
                return;
            }
        }
        addRemoteCandidate(iceCandidate);
    }

    private void addRemoteCandidate(RTCIceCandidate candidate) {
        try {
            peerConnection.addIceCandidate(candidate);
        } catch (RuntimeException e) {
            System.err.println("JavaPhone: addIceCandidate failed for " + candidate.sdp + ": " + e);
        }
    }

    private void createPeerConnection() {
        RTCConfiguration configuration = new RTCConfiguration();
        configuration.iceServers = new ArrayList<>(); // Never a STUN or TURN server.
        peerConnection = factory.createPeerConnection(configuration, new PhonePeerObserver());

        RTCDataChannelInit reliable = new RTCDataChannelInit();
        reliable.ordered = true;
        contop = peerConnection.createDataChannel(CONTOP, reliable);
        contop.registerObserver(new ChannelObserver(contop, CONTOP));

        RTCDataChannelInit fast = new RTCDataChannelInit();
        fast.ordered = false;
        fast.maxRetransmits = 0;
        contopFast = peerConnection.createDataChannel(CONTOP_FAST, fast);
        contopFast.registerObserver(new ChannelObserver(contopFast, CONTOP_FAST));

        // webrtc-java adds a transceiver only together with a track. This track never sends,
        // because the transceiver is receive-only.
        CustomVideoSource placeholderSource = new CustomVideoSource();
        VideoTrack placeholderTrack = factory.createVideoTrack("phone-placeholder", placeholderSource);
        RTCRtpTransceiverInit receiveOnly = new RTCRtpTransceiverInit();
        receiveOnly.direction = RTCRtpTransceiverDirection.RECV_ONLY;
        peerConnection.addTransceiver(placeholderTrack, receiveOnly);
    }

    private void createOffer() {
        peerConnection.createOffer(new RTCOfferOptions(), new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription offer) {
                peerConnection.setLocalDescription(offer, new SetSessionDescriptionObserver() {
                    @Override
                    public void onSuccess() {
                        sendOffer(offer.sdp);
                    }

                    @Override
                    public void onFailure(String error) {
                        fail(EXIT_ERROR, "setLocalDescription(offer) failed: " + error);
                    }
                });
            }

            @Override
            public void onFailure(String error) {
                fail(EXIT_ERROR, "createOffer failed: " + error);
            }
        });
    }

    private void sendOffer(String sdp) {
        ObjectNode offer = PhoneEvents.object().put("type", "offer").put("sdp", sdp);
        offer.put("device_name", options.deviceName());
        if (options.connectionType() != null) {
            offer.put("connection_type", options.connectionType());
        }
        if (options.deviceLocation() != null) {
            offer.put("device_location", options.deviceLocation());
        }
        List<RTCIceCandidate> queued;
        synchronized (candidateLock) {
            if (options.candidatesBeforeOffer()) {
                heldOffer = offer.toString();
                sendHeldOfferAfterGathering();
                return;
            }
            signaling.send(offer.toString());
            offerSent = true;
            queued = new ArrayList<>(unsentLocalCandidates);
            unsentLocalCandidates.clear();
        }
        queued.forEach(this::sendCandidate);
    }

    private void onLocalCandidate(RTCIceCandidate candidate) {
        synchronized (candidateLock) {
            if (options.candidatesBeforeOffer()) {
                sendCandidate(candidate);
                gatheringComplete |= candidate.sdp.isEmpty();
                sendHeldOfferAfterGathering();
                return;
            }
            if (!offerSent) {
                unsentLocalCandidates.add(candidate);
                return;
            }
        }
        sendCandidate(candidate);
    }

    /** Sends the held offer once it exists and every local candidate went out before it. Holds candidateLock. */
    private void sendHeldOfferAfterGathering() {
        if (gatheringComplete && heldOffer != null && !offerSent) {
            signaling.send(heldOffer);
            offerSent = true;
        }
    }

    /** Sends one trickled candidate. A candidate with an empty {@code sdp} marks the end of candidates. */
    private void sendCandidate(RTCIceCandidate candidate) {
        ObjectNode body = PhoneEvents.object()
                .put("candidate", candidate.sdp)
                .put("sdpMid", options.nullSdpMid() ? null : candidate.sdpMid)
                .put("sdpMLineIndex", candidate.sdpMLineIndex);
        ObjectNode message = PhoneEvents.object().put("type", "ice_candidate");
        message.set("candidate", body);
        signaling.send(message.toString());
    }

    private final class PhonePeerObserver implements PeerConnectionObserver {

        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            onLocalCandidate(candidate);
        }

        @Override
        public void onIceGatheringChange(RTCIceGatheringState state) {
            if (state == RTCIceGatheringState.COMPLETE) {
                onLocalCandidate(new RTCIceCandidate("0", 0, ""));
            }
        }

        @Override
        public void onIceConnectionChange(RTCIceConnectionState state) {
            events.emit(events.create("ice_connection_state").put("state", state.name().toLowerCase(Locale.ROOT)));
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState state) {
            events.emit(events.create("connection_state").put("state", state.name().toLowerCase(Locale.ROOT)));
            if (state == RTCPeerConnectionState.FAILED || state == RTCPeerConnectionState.CLOSED) {
                sessionClosed.complete(null);
            }
        }

        @Override
        public void onTrack(RTCRtpTransceiver transceiver) {
            MediaStreamTrack track = transceiver.getReceiver().getTrack();
            events.emit(events.create("track").put("kind", track.getKind()));
            if (track instanceof VideoTrack video) {
                video.addSink(JavaPhone.this::onVideoFrame);
            }
        }
    }

    private void onVideoFrame(VideoFrame frame) {
        try {
            videoFrames.incrementAndGet();
            long size = ((long) frame.buffer.getWidth() << 32) | frame.buffer.getHeight();
            if (size != lastFrameSize) {
                lastFrameSize = size;
                events.emit(events.create("video_frame")
                        .put("width", frame.buffer.getWidth()).put("height", frame.buffer.getHeight()));
            }
        } finally {
            frame.release();
        }
    }

    private final class ChannelObserver implements RTCDataChannelObserver {
        private final RTCDataChannel channel;
        private final String label;

        ChannelObserver(RTCDataChannel channel, String label) {
            this.channel = channel;
            this.label = label;
        }

        @Override
        public void onStateChange() {
            RTCDataChannelState state = channel.getState();
            if (state == RTCDataChannelState.OPEN) {
                events.emit(events.create("channel_open").put("label", label));
                if (openChannels.incrementAndGet() == 2) {
                    channelsOpen.complete(null);
                }
            } else if (state == RTCDataChannelState.CLOSED && !closingLocally) {
                events.emit(events.create("channel_closed").put("label", label));
                if (CONTOP.equals(label)) {
                    sessionClosed.complete(null);
                }
            }
        }

        @Override
        public void onBufferedAmountChange(long previousAmount) {
        }

        @Override
        public void onMessage(RTCDataChannelBuffer buffer) {
            // The buffer is only valid during this call, so copy it out first.
            ByteBuffer data = buffer.data;
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);

            ObjectNode event = events.create("message").put("label", label);
            if (buffer.binary) {
                event.put("binary", true).put("data", Base64.getEncoder().encodeToString(bytes));
                events.emit(event);
                return;
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            JsonNode json = PhoneEvents.parse(text);
            if (json == null) {
                event.put("data", text);
            } else {
                event.set("data", json);
            }
            events.emit(event);

            if (json != null && "keepalive".equals(json.path("type").asText()) && options.replyToKeepalive()) {
                ObjectNode reply = PhoneEvents.object().put("type", "keepalive").put("id", json.path("id").asText());
                reply.set("payload", PhoneEvents.object());
                sendOnChannel(channel, label, reply.toString());
            }
        }
    }

    private void sendOnChannel(RTCDataChannel channel, String label, String text) {
        try {
            channel.send(new RTCDataChannelBuffer(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), false));
        } catch (Exception e) {
            System.err.println("JavaPhone: send on " + label + " failed: " + e);
            return;
        }
        ObjectNode event = events.create("sent").put("label", label);
        JsonNode json = PhoneEvents.parse(text);
        if (json == null) {
            event.put("data", text);
        } else {
            event.set("data", json);
        }
        events.emit(event);
    }

    private void awaitChannelsOpen(long startNanos) throws PhoneFailure, InterruptedException {
        long remainingNanos = options.timeout().toNanos() - (System.nanoTime() - startNanos);
        try {
            Object outcome = CompletableFuture.anyOf(channelsOpen, failure)
                    .get(Math.max(0, remainingNanos), TimeUnit.NANOSECONDS);
            if (outcome instanceof PhoneFailure phoneFailure) {
                throw phoneFailure;
            }
        } catch (TimeoutException e) {
            throw new PhoneFailure(EXIT_ERROR, "Timed out after " + options.timeout().toMillis() + " ms waiting for "
                    + "the data channels (contop " + contop.getState() + ", contop-fast " + contopFast.getState()
                    + ", peer connection " + peerConnection.getConnectionState() + ")");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void sendConfiguredMessages() {
        for (String message : options.messagesToSend()) {
            sendOnChannel(contop, CONTOP, message);
        }
    }

    /** Waits for the stay duration and returns whether the host ended the session during it. */
    private boolean stayConnected() throws InterruptedException {
        return awaitSessionClosed(options.stay());
    }

    /** Sends session_end when configured, and returns whether the host then closed the session, or null when none was sent. */
    private Boolean endSession() throws InterruptedException {
        if (!options.sendSessionEnd() || contop.getState() != RTCDataChannelState.OPEN) {
            return null;
        }
        ObjectNode sessionEnd = PhoneEvents.object().put("type", "session_end").put("id", UUID.randomUUID().toString());
        sessionEnd.set("payload", PhoneEvents.object());
        sendOnChannel(contop, CONTOP, sessionEnd.toString());
        return awaitSessionClosed(SESSION_END_WAIT);
    }

    private boolean awaitSessionClosed(Duration timeout) throws InterruptedException {
        try {
            sessionClosed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void fail(int exitCode, String message) {
        failure.complete(new PhoneFailure(exitCode, message));
    }

    private void closeAll() {
        closingLocally = true;
        for (RTCDataChannel channel : new RTCDataChannel[] {contop, contopFast}) {
            if (channel != null) {
                releaseQuietly("data channel " + channel.getLabel(), () -> {
                    channel.unregisterObserver();
                    channel.close();
                    channel.dispose();
                });
            }
        }
        if (peerConnection != null) {
            releaseQuietly("peer connection", peerConnection::close);
        }
        if (signaling != null) {
            signaling.close();
        }
        // NOTE: the placeholder video track and source are not disposed, because the closed peer
        // connection's sender still references the track and webrtc-java 0.14.0 then throws
        // "Native object was not deleted". An in-JVM phone therefore leaks them.
        if (factory != null) {
            releaseQuietly("peer connection factory", factory::dispose);
        }
    }

    /**
     * Runs one release step and reports a failure on standard error, so that later steps still
     * run. webrtc-java reports a failed native release as {@link Error}, so that is caught too.
     */
    private static void releaseQuietly(String what, Runnable release) {
        try {
            release.run();
        } catch (RuntimeException | Error e) {
            System.err.println("JavaPhone: releasing the " + what + " failed: " + e);
        }
    }

    /** Returns {@code uri} without its query, so that the token never reaches an error message. */
    private static String withoutQuery(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
    }
}
