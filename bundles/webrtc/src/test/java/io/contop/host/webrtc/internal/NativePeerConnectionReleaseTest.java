package io.contop.host.webrtc.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.VideoTrack;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Checks whether a closed peer connection is freed, through the video track it sends: the track's
 * {@code dispose()} drops the last native reference, and so succeeds, only once the peer
 * connection's RTP sender is gone.
 */
class NativePeerConnectionReleaseTest {
    private PeerConnectionFactory factory;
    private CustomVideoSource source;

    @BeforeEach
    void createFactory() {
        factory = new PeerConnectionFactory(new HeadlessAudioDeviceModule());
        source = new CustomVideoSource();
    }

    @AfterEach
    void disposeFactory() {
        source.dispose();
        factory.dispose();
    }

    @Test
    void availableForBundledLibrary() {
        assertNull(NativePeerConnectionRelease.forLoadedLibrary().unavailableReason());
    }

    @Test
    void plainCloseKeepsPeerConnection() {
        VideoTrack track = factory.createVideoTrack("screen", source);
        RTCPeerConnection connection = factory.createPeerConnection(new RTCConfiguration(), new IgnoredEvents());
        connection.addTrack(track, List.of("screen"));

        connection.close();

        // The library's close() keeps the native peer connection, so its sender still references the track.
        // When this fails, webrtc-java frees peer connections itself and the release must be skipped.
        assertThrows(Error.class, track::dispose);
    }

    @Test
    void closeAndReleaseFreesPeerConnection() {
        VideoTrack track = factory.createVideoTrack("screen", source);
        RTCPeerConnection connection = factory.createPeerConnection(new RTCConfiguration(), new IgnoredEvents());
        RTCRtpSender sender = connection.addTrack(track, List.of("screen"));

        boolean freed = NativePeerConnectionRelease.forLoadedLibrary().closeAndRelease(connection, List.of(sender));

        assertTrue(freed, "the peer connection should be freed at once");
        assertDoesNotThrow(track::dispose);
    }

    @Test
    void releaseManyConnectionsWithChannels() {
        NativePeerConnectionRelease release = NativePeerConnectionRelease.forLoadedLibrary();
        VideoTrack track = factory.createVideoTrack("screen", source);

        for (int i = 0; i < 200; i++) {
            RTCPeerConnection connection = factory.createPeerConnection(new RTCConfiguration(), new IgnoredEvents());
            RTCRtpSender sender = connection.addTrack(track, List.of("screen"));
            RTCDataChannel channel = connection.createDataChannel("contop", new RTCDataChannelInit());
            channel.close();
            channel.dispose();
            assertTrue(release.closeAndRelease(connection, List.of(sender)), "peer connection " + i + " not freed");
        }

        assertDoesNotThrow(track::dispose);
    }

    private static final class IgnoredEvents implements PeerConnectionObserver {
        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
        }
    }
}
