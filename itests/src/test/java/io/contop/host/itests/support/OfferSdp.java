package io.contop.host.itests.support;

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
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.VideoTrack;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real SDP offer, made once by webrtc-java in the test JVM the way the phone makes it: data
 * channels {@code contop} and {@code contop-fast} and a receive-only video transceiver. The local
 * description is never set, so the offer has no candidates and the phone side gathers nothing and
 * sends no packet. The host answers such an offer without ever reaching the phone.
 */
public final class OfferSdp {
    private static volatile String cached;

    private OfferSdp() {
    }

    /** Returns the offer, made on the first call. */
    public static synchronized String get() throws Exception {
        if (cached == null) {
            cached = create();
        }
        return cached;
    }

    private static String create() throws Exception {
        PeerConnectionFactory factory = new PeerConnectionFactory(new HeadlessAudioDeviceModule());
        RTCConfiguration configuration = new RTCConfiguration();
        configuration.iceServers = new ArrayList<>();
        RTCPeerConnection connection = factory.createPeerConnection(configuration, new PeerConnectionObserver() {
            @Override
            public void onIceCandidate(RTCIceCandidate candidate) {
            }
        });
        try {
            RTCDataChannelInit reliable = new RTCDataChannelInit();
            reliable.ordered = true;
            connection.createDataChannel("contop", reliable);
            RTCDataChannelInit fast = new RTCDataChannelInit();
            fast.ordered = false;
            fast.maxRetransmits = 0;
            connection.createDataChannel("contop-fast", fast);
            VideoTrack placeholder = factory.createVideoTrack("placeholder", new CustomVideoSource());
            RTCRtpTransceiverInit receiveOnly = new RTCRtpTransceiverInit();
            receiveOnly.direction = RTCRtpTransceiverDirection.RECV_ONLY;
            connection.addTransceiver(placeholder, receiveOnly);

            CompletableFuture<String> offer = new CompletableFuture<>();
            connection.createOffer(new RTCOfferOptions(), new CreateSessionDescriptionObserver() {
                @Override
                public void onSuccess(RTCSessionDescription description) {
                    offer.complete(description.sdp);
                }

                @Override
                public void onFailure(String error) {
                    offer.completeExceptionally(new IllegalStateException("createOffer failed: " + error));
                }
            });
            return offer.get(20, TimeUnit.SECONDS);
        } finally {
            connection.close();
        }
    }

    /** Returns the values of the {@code a=fingerprint:sha-256} lines, without colons, in upper case. */
    public static List<String> sha256Fingerprints(String sdp) {
        List<String> fingerprints = new ArrayList<>();
        for (String line : sdp.split("\r?\n")) {
            String lower = line.strip().toLowerCase(Locale.ROOT);
            if (lower.startsWith("a=fingerprint:sha-256 ")) {
                fingerprints.add(line.strip().substring("a=fingerprint:sha-256 ".length()).replace(":", "")
                        .toUpperCase(Locale.ROOT));
            }
        }
        return fingerprints;
    }
}
