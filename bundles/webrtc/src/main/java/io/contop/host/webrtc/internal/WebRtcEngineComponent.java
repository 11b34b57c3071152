package io.contop.host.webrtc.internal;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCCertificatePEM;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import dev.onvoid.webrtc.media.video.VideoTrack;
import io.contop.host.api.ConnectionType;
import io.contop.host.api.DeviceEvent;
import io.contop.host.api.EngineStatus;
import io.contop.host.api.IceServers;
import io.contop.host.api.PairingToken;
import io.contop.host.api.PeerSession;
import io.contop.host.api.ProviderCredentials;
import io.contop.host.api.SessionListener;
import io.contop.host.api.TokenEndReason;
import io.contop.host.api.TokenListener;
import io.contop.host.api.TokenStore;
import io.contop.host.api.WebRtcEngine;
import io.contop.host.api.video.VideoSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebRTC engine on webrtc-java. One {@link PeerConnectionFactory} serves every session; each
 * peer connection is configured with the DTLS certificate of the token that authenticated it.
 *
 * <p>Every session sends the same video track, fed by the registered {@link VideoSource} with the
 * highest service ranking (see {@link VideoFeed}).
 *
 * <p>When the native library cannot load, the component still activates and reports the reason
 * through {@link #status()}, so pairing and {@code /health} keep working.
 */
@Component(immediate = true, service = {WebRtcEngine.class, TokenListener.class}, configurationPid = "io.contop.host.webrtc")
@Designate(ocd = WebRtcEngineComponent.Config.class)
public final class WebRtcEngineComponent implements WebRtcEngine, TokenListener {

    @ObjectClassDefinition(name = "Contop Host WebRTC engine", description = "Peer connections with the phones.")
    public @interface Config {
        @AttributeDefinition(name = "ICE servers", required = false,
                description = "STUN or TURN URLs; the CONTOP_ICE_SERVERS environment variable overrides them.")
        String[] ice_servers() default {"stun:stun.l.google.com:19302", "stun:stun1.l.google.com:19302"};

        @AttributeDefinition(name = "Keepalive interval (seconds)", min = "1", max = "3600",
                description = "Time between keepalive messages on the contop channel.")
        int keepalive_seconds() default 30;

        @AttributeDefinition(name = "Unresponsive after", min = "1", max = "100",
                description = "Missed keepalive replies after which a session is reported unresponsive (not closed).")
        int unresponsive_after() default 3;

        @AttributeDefinition(name = "Test pattern width", min = "16", max = "3840",
                description = "Width in pixels of the generated video when no screen is captured.")
        int pattern_width() default 320;

        @AttributeDefinition(name = "Test pattern height", min = "16", max = "2160",
                description = "Height in pixels of the generated video when no screen is captured.")
        int pattern_height() default 240;

        @AttributeDefinition(name = "Test pattern frame rate", min = "1", max = "60",
                description = "Frames per second of the generated video.")
        int pattern_fps() default 15;
    }

    private static final Logger LOG = LoggerFactory.getLogger(WebRtcEngineComponent.class);

    private final TokenStore tokens;
    private final ProviderCredentials credentials;
    private final List<String> iceServers;
    private final Config config;
    private final ExecutorService sessionExecutor = Executors.newSingleThreadExecutor(
            runnable -> daemonThread(runnable, "contop-webrtc-sessions"));
    private final ScheduledExecutorService keepalives = Executors.newSingleThreadScheduledExecutor(
            runnable -> daemonThread(runnable, "contop-webrtc-keepalive"));
    private final Map<String, WebRtcPeerSession> sessions = new ConcurrentHashMap<>();
    private final EngineStatus status;
    private final VideoFeed video = new VideoFeed();
    private PeerConnectionFactory factory;
    private NativePeerConnectionRelease peerConnectionRelease;
    /** Set on the session executor just before the factory is disposed; read only on that executor. */
    private boolean factoryDisposed;

    @Activate
    public WebRtcEngineComponent(@Reference TokenStore tokens, @Reference ProviderCredentials credentials,
            Config config) {
        validate(config);
        this.tokens = tokens;
        this.credentials = credentials;
        this.config = config;
        this.iceServers = IceServers.resolve(config.ice_servers() == null ? null : Arrays.asList(config.ice_servers()));
        this.status = startFactory();
        if (status.available()) {
            LOG.info("WebRTC engine loaded: {}; ICE servers: {}; keepalive every {} s", status.detail(),
                    iceServers.isEmpty() ? "none" : iceServers, config.keepalive_seconds());
            long interval = config.keepalive_seconds();
            keepalives.scheduleAtFixedRate(this::sendKeepalives, interval, interval, TimeUnit.SECONDS);
        } else {
            LOG.error("WebRTC engine unavailable: {}. Pairing still works; phones cannot connect until this is fixed",
                    status.detail());
        }
    }

    private static void validate(Config config) {
        if (config.keepalive_seconds() < 1) {
            throw new IllegalArgumentException("keepalive.seconds must be at least 1, was " + config.keepalive_seconds());
        }
        if (config.unresponsive_after() < 1) {
            throw new IllegalArgumentException("unresponsive.after must be at least 1, was " + config.unresponsive_after());
        }
    }

    private EngineStatus startFactory() {
        try {
            factory = runOnSessionThread(() -> new PeerConnectionFactory(new HeadlessAudioDeviceModule()));
            peerConnectionRelease = NativePeerConnectionRelease.forLoadedLibrary();
            if (peerConnectionRelease.unavailableReason() != null) {
                LOG.warn("Closed peer connections stay in memory (about 200 KiB each) because {}",
                        peerConnectionRelease.unavailableReason());
            }
            org.osgi.framework.Bundle library = org.osgi.framework.FrameworkUtil.getBundle(PeerConnectionFactory.class);
            return new EngineStatus(true, "webrtc-java" + (library == null ? "" : " " + library.getVersion()));
        } catch (Throwable e) {
            return new EngineStatus(false, describeLoadFailure(e));
        }
    }

    /** Explains a native library failure in terms a user can act on. */
    static String describeLoadFailure(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(root.getMessage());
        if (message.toLowerCase(Locale.ROOT).contains("libpulse")) {
            return "the native library needs libpulse (install the libpulse0 package): " + message;
        }
        return "the native library could not load (" + root.getClass().getSimpleName() + ": " + message + ")";
    }

    @Deactivate
    void deactivate() {
        keepalives.shutdownNow();
        List<WebRtcPeerSession> open = new ArrayList<>(sessions.values());
        for (WebRtcPeerSession session : open) {
            session.close("the host is stopping");
        }
        CountDownLatch disposed = new CountDownLatch(1);
        sessionExecutor.execute(() -> {
            try {
                // Session tasks queued behind this one, such as a data channel that opened while
                // the sessions closed, must not call into the library once the factory is gone.
                factoryDisposed = true;
                video.close();
                if (factory != null) {
                    factory.dispose();
                }
            } catch (RuntimeException | Error e) {
                // webrtc-java throws an Error when a native object is still referenced.
                LOG.warn("Disposing the WebRTC factory failed: {}", e.toString());
            } finally {
                disposed.countDown();
            }
        });
        try {
            if (!disposed.await(10, TimeUnit.SECONDS)) {
                LOG.warn("The WebRTC engine did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sessionExecutor.shutdown();
        LOG.info("WebRTC engine stopped; {} session(s) closed", open.size());
    }

    @Reference(service = VideoSource.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removeVideoSource", updated = "updateVideoSource")
    void addVideoSource(VideoSource source, Map<String, Object> properties) {
        video.addSource(source, ranking(properties), serviceId(properties));
    }

    void updateVideoSource(VideoSource source, Map<String, Object> properties) {
        video.addSource(source, ranking(properties), serviceId(properties));
    }

    void removeVideoSource(VideoSource source) {
        video.removeSource(source);
    }

    private static int ranking(Map<String, Object> properties) {
        return properties.get(Constants.SERVICE_RANKING) instanceof Integer ranking ? ranking : 0;
    }

    private static long serviceId(Map<String, Object> properties) {
        return properties.get(Constants.SERVICE_ID) instanceof Long id ? id : Long.MAX_VALUE;
    }

    @Override
    public EngineStatus status() {
        return status;
    }

    @Override
    public PeerSession openSession(PairingToken token, ConnectionType sessionType, SessionListener listener) {
        if (!status.available()) {
            throw new IllegalStateException("the WebRTC engine is unavailable: " + status.detail());
        }
        WebRtcPeerSession session = new WebRtcPeerSession(token, sessionType, listener, sessionExecutor,
                new Host());
        WebRtcPeerSession previous = sessions.put(token.token(), session);
        if (tokens.validate(token.token()).isEmpty()) {
            // The token ended between the caller's check and the put above, so the token store's
            // end notice may have found no session to close: close this one here.
            sessions.remove(token.token(), session);
            session.close("the token is no longer valid");
        }
        sessionExecutor.execute(() -> {
            if (factoryDisposed) {
                // The engine stopped while this session waited; it never had a peer connection.
                session.closeNow("the host is stopping");
                return;
            }
            if (previous != null) {
                previous.closeNow("a new session for the same token took over");
            }
            try {
                session.start();
            } catch (RuntimeException e) {
                LOG.error("Session {}: peer connection could not be created: {}", token.prefix(), e.toString());
                session.closeNow("the peer connection could not be created");
            }
        });
        return session;
    }

    @Override
    public void closeSessions(String token, String reason) {
        WebRtcPeerSession session = sessions.get(token);
        if (session != null) {
            session.close(reason);
        }
    }

    @Override
    public List<PeerSession> sessions() {
        return List.copyOf(sessions.values());
    }

    @Override
    public void tokenEnded(PairingToken token, TokenEndReason reason) {
        closeSessions(token.token(), "the token was " + reason.name().toLowerCase(Locale.ROOT));
    }

    private void sendKeepalives() {
        for (WebRtcPeerSession session : sessions.values()) {
            session.keepalive(config.unresponsive_after());
        }
    }

    private RTCConfiguration configuration(PairingToken token) {
        RTCConfiguration configuration = new RTCConfiguration();
        for (String url : iceServers) {
            RTCIceServer server = new RTCIceServer();
            server.urls = List.of(url);
            configuration.iceServers.add(server);
        }
        configuration.certificates = List.of(new RTCCertificatePEM(token.identity().privateKeyPem(),
                token.identity().certificatePem(), token.identity().notAfter().toEpochMilli()));
        return configuration;
    }

    /** Callbacks from sessions to the engine. */
    private final class Host implements WebRtcPeerSession.SessionHost {
        @Override
        public RTCPeerConnection createPeerConnection(PairingToken token, PeerConnectionObserver observer) {
            return factory.createPeerConnection(configuration(token), observer);
        }

        @Override
        public boolean factoryDisposed() {
            return factoryDisposed;
        }

        @Override
        public void closePeerConnection(RTCPeerConnection connection, List<RTCRtpSender> senders) {
            peerConnectionRelease.closeAndRelease(connection, senders);
        }

        @Override
        public VideoTrack createVideoTrack() {
            return video.acquire(factory);
        }

        @Override
        public void releaseVideoTrack(VideoTrack track) {
            video.release();
        }

        @Override
        public String stateUpdate(ConnectionType sessionType) {
            return Envelopes.stateUpdate(sessionType, credentials.current());
        }

        @Override
        public void connectionChanged(WebRtcPeerSession session, boolean connected) {
            PairingToken token = session.token();
            String type = connected ? DeviceEvent.TYPE_CONNECTED : DeviceEvent.TYPE_DISCONNECTED;
            String name = tokens.validate(token.token()).map(PairingToken::displayName).orElse(token.displayName());
            tokens.recordEvent(new DeviceEvent(type, token.deviceId(), name, Instant.now(), null));
            LOG.info("{} {} (token {})", name, connected ? "connected" : "disconnected", token.prefix());
        }

        @Override
        public void sessionClosed(WebRtcPeerSession session, String reason) {
            sessions.remove(session.token().token(), session);
            LOG.info("Session of token {} closed: {}", session.token().prefix(), reason);
        }
    }

    private <T> T runOnSessionThread(java.util.concurrent.Callable<T> task) throws Exception {
        try {
            return sessionExecutor.submit(task).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    private static Thread daemonThread(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
