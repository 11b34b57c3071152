package io.contop.host.webrtc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.media.MediaType;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import io.contop.host.api.ConnectionType;
import io.contop.host.api.DeviceEvent;
import io.contop.host.api.DeviceInfo;
import io.contop.host.api.DtlsIdentity;
import io.contop.host.api.IceCandidate;
import io.contop.host.api.PairingToken;
import io.contop.host.api.PeerSession;
import io.contop.host.api.SessionListener;
import io.contop.host.api.TokenStore;
import java.lang.annotation.Annotation;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Applies a real webrtc-java offer to the engine and checks the answer. No candidates are
 * exchanged, so no ICE traffic leaves the process.
 */
class WebRtcEngineComponentTest {

    @Test
    void answerPresentsTokenCertificate() throws Exception {
        DtlsIdentity identity = TestIdentities.create();
        PairingToken token = new PairingToken(UUID.randomUUID().toString(), "phone-1", ConnectionType.PERMANENT,
                Instant.now(), Instant.now().plusSeconds(3600), identity, DeviceInfo.EMPTY);
        WebRtcEngineComponent engine = new WebRtcEngineComponent(new OneToken(token), List::of, config());
        PeerConnectionFactory phoneFactory = new PeerConnectionFactory(new HeadlessAudioDeviceModule());
        try {
            assertTrue(engine.status().available(), engine.status().detail());

            String offer = createOffer(phoneFactory);
            CompletableFuture<String> answer = new CompletableFuture<>();
            PeerSession session = engine.openSession(token, ConnectionType.PERMANENT, new SessionListener() {
                @Override
                public void answer(String sdp) {
                    answer.complete(sdp);
                }

                @Override
                public void localCandidate(IceCandidate candidate) {
                }

                @Override
                public void closed(String reason) {
                    answer.completeExceptionally(new AssertionError("closed: " + reason));
                }
            });
            session.applyOffer(offer);
            String sdp = answer.get(20, TimeUnit.SECONDS);

            Matcher fingerprint = Pattern.compile("a=fingerprint:sha-256 ([0-9A-Fa-f:]+)").matcher(sdp);
            assertTrue(fingerprint.find(), sdp);
            assertEquals(identity.fingerprintSha256(), fingerprint.group(1).toUpperCase());
            assertTrue(sdp.contains("a=sendonly"), "video should be send-only: " + sdp);
            // Media is SRTP keyed from the DTLS handshake, so the profile is DTLS-SRTP and no SDES key is offered.
            assertTrue(sdp.contains("UDP/TLS/RTP/SAVPF"), "video should use DTLS-SRTP: " + sdp);
            assertFalse(sdp.contains("a=crypto"), "the answer must not carry SDES keys: " + sdp);
            assertEquals(1, engine.sessions().size());

            session.close("test over");
        } finally {
            engine.deactivate();
            phoneFactory.dispose();
        }
    }

    private static String createOffer(PeerConnectionFactory factory) throws Exception {
        RTCPeerConnection phone = factory.createPeerConnection(new RTCConfiguration(), new PeerConnectionObserver() {
            @Override
            public void onIceCandidate(RTCIceCandidate candidate) {
            }
        });
        phone.createDataChannel("contop", new RTCDataChannelInit());
        RTCDataChannelInit fast = new RTCDataChannelInit();
        fast.ordered = false;
        fast.maxRetransmits = 0;
        phone.createDataChannel("contop-fast", fast);
        RTCRtpTransceiverInit video = new RTCRtpTransceiverInit();
        video.direction = RTCRtpTransceiverDirection.RECV_ONLY;
        phone.addTransceiver(factory.createVideoTrack("unused", new dev.onvoid.webrtc.media.video.CustomVideoSource()),
                video);

        CompletableFuture<RTCSessionDescription> offer = new CompletableFuture<>();
        phone.createOffer(new RTCOfferOptions(), new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription description) {
                offer.complete(description);
            }

            @Override
            public void onFailure(String error) {
                offer.completeExceptionally(new AssertionError(error));
            }
        });
        String sdp = offer.get(10, TimeUnit.SECONDS).sdp;
        phone.close();
        return sdp;
    }

    static WebRtcEngineComponent.Config config() {
        return new WebRtcEngineComponent.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return WebRtcEngineComponent.Config.class;
            }

            @Override
            public String[] ice_servers() {
                return new String[0];
            }

            @Override
            public int keepalive_seconds() {
                return 30;
            }

            @Override
            public int unresponsive_after() {
                return 3;
            }

            @Override
            public int pattern_width() {
                return 64;
            }

            @Override
            public int pattern_height() {
                return 48;
            }

            @Override
            public int pattern_fps() {
                return 5;
            }
        };
    }

    /** A token store with one token, which the engine validates; it also receives the engine's events. */
    private static final class OneToken implements TokenStore {
        private final PairingToken token;

        OneToken(PairingToken token) {
            this.token = token;
        }

        @Override
        public CompletionStage<PairingToken> pair(String deviceId, ConnectionType type) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<PairingToken> validate(String candidate) {
            return token.token().equals(candidate) ? Optional.of(token) : Optional.empty();
        }

        @Override
        public Optional<PairingToken> select(String deviceId) {
            return Optional.empty();
        }

        @Override
        public Optional<PairingToken> revoke(String deviceId) {
            return Optional.empty();
        }

        @Override
        public List<PairingToken> tokens() {
            return List.of();
        }

        @Override
        public Optional<PairingToken> updateDevice(String token, UnaryOperator<DeviceInfo> update) {
            return Optional.empty();
        }

        @Override
        public void recordEvent(DeviceEvent event) {
        }

        @Override
        public List<DeviceEvent> events(Instant since) {
            return List.of();
        }
    }
}
