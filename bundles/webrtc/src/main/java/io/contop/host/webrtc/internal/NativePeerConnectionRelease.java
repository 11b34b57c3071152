package io.contop.host.webrtc.internal;

import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpSender;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees the native peer connection that {@link RTCPeerConnection#close()} leaves behind.
 *
 * <p>In webrtc-java 0.14.0, {@code createPeerConnection} hands the Java object the only reference
 * to the native {@code PeerConnectionInterface}, and {@code close()} clears the Java handle without
 * releasing that reference. {@code addTrack} likewise hands the returned {@link RTCRtpSender} a
 * reference that nothing releases. Every closed session therefore kept its whole native peer
 * connection for the life of the process: resident memory grew by about 190 KiB per session in the
 * benchmark's connect and {@code session_end} cycles. webrtc-java's own tracker lists both as bugs fixed after
 * 0.15.0, where close releases the reference and RTP senders gained a {@code dispose()} method.
 *
 * <p>The library exports no call that releases these objects, so this class releases them through
 * {@link RTCDataChannel#dispose()}: that native method calls {@code Release()} on the object behind
 * its handle and clears the handle. {@code RefCountInterface}, which declares {@code Release()}, is
 * the first base class of {@code PeerConnectionInterface}, {@code RtpSenderInterface} and
 * {@code DataChannelInterface}, so on the Itanium C++ ABI (Linux, macOS) the call lands in the
 * object's own {@code Release()}. The objects behind the handles are WebRTC proxies, whose
 * destruction runs on WebRTC's signaling thread, so the release is safe from any thread once the
 * connection is closed. {@code NativePeerConnectionReleaseTest} checks the effect on the bundled
 * library: after the release, the sent video track loses its last reference.
 *
 * <p>The release is skipped when the library already frees the peer connection on close (it offers
 * {@code RTCRtpSender.dispose()}). The release is also skipped, and the leak stays, when the handle
 * field or the data channel constructor cannot be reached, or when the operating system is
 * Windows, whose C++ ABI is not checked here.
 */
final class NativePeerConnectionRelease {
    private static final Logger LOG = LoggerFactory.getLogger(NativePeerConnectionRelease.class);

    private final Field handleField;
    private final Constructor<RTCDataChannel> channelConstructor;
    private final String unavailableReason;

    private NativePeerConnectionRelease(Field handleField, Constructor<RTCDataChannel> channelConstructor,
            String unavailableReason) {
        this.handleField = handleField;
        this.channelConstructor = channelConstructor;
        this.unavailableReason = unavailableReason;
    }

    /** Returns a release for the loaded webrtc-java, or one that does nothing and gives the reason. */
    static NativePeerConnectionRelease forLoadedLibrary() {
        if (hasMethod(RTCRtpSender.class, "dispose")) {
            // This webrtc-java frees the peer connection on close(), so nothing leaks and nothing is released here.
            return new NativePeerConnectionRelease(null, null, null);
        }
        if (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows")) {
            return unavailable("the release is only checked on the Itanium C++ ABI (Linux, macOS)");
        }
        try {
            Field handle = handleField(RTCPeerConnection.class);
            handle.setAccessible(true);
            Constructor<RTCDataChannel> constructor = RTCDataChannel.class.getDeclaredConstructor();
            constructor.setAccessible(true);
            return new NativePeerConnectionRelease(handle, constructor, null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return unavailable("webrtc-java's native handle is not reachable: " + e);
        }
    }

    private static NativePeerConnectionRelease unavailable(String reason) {
        return new NativePeerConnectionRelease(null, null, reason);
    }

    /** Finds the field in which webrtc-java's base class of native objects keeps the pointer. */
    private static Field handleField(Class<?> type) throws NoSuchFieldException {
        for (Class<?> current = type; current != null; current = current.getSuperclass()) {
            try {
                return current.getDeclaredField("nativeHandle");
            } catch (NoSuchFieldException e) {
                // Look in the superclass.
            }
        }
        throw new NoSuchFieldException("nativeHandle in " + type.getName() + " or its superclasses");
    }

    private static boolean hasMethod(Class<?> type, String name) {
        for (java.lang.reflect.Method method : type.getMethods()) {
            if (method.getName().equals(name) && method.getParameterCount() == 0) {
                return true;
            }
        }
        return false;
    }

    /** Returns why closed peer connections stay in memory, or null when they are freed. */
    String unavailableReason() {
        return unavailableReason;
    }

    /**
     * Closes {@code connection} and releases its native peer connection, then the native RTP
     * senders that {@code addTrack} returned for it. Call it once per connection, after the last use
     * of the connection, its senders and its data channels.
     *
     * @return true when the peer connection was freed. False when the release is unavailable, or
     *     when an operation still queued inside WebRTC has a reference and frees the connection later.
     */
    boolean closeAndRelease(RTCPeerConnection connection, List<RTCRtpSender> senders) {
        long handle = handleOf(connection);
        connection.close();

        if (handle == 0 || handleOf(connection) != 0) {
            // Either no native object exists, or close() kept the handle and so still owns it.
            return false;
        }
        boolean freed = release(handle, "peer connection");

        // addTrack hands each Java sender a reference of its own. It matters once the peer
        // connection is gone, because the sender then keeps the sent track alive.
        for (RTCRtpSender sender : senders) {
            long senderHandle = handleOf(sender);
            if (senderHandle != 0) {
                release(senderHandle, "RTP sender");
                clearHandle(sender);
            }
        }
        return freed;
    }

    private long handleOf(Object nativeObject) {
        if (handleField == null) {
            return 0;
        }
        try {
            return handleField.getLong(nativeObject);
        } catch (IllegalAccessException e) {
            return 0;
        }
    }

    private void clearHandle(Object nativeObject) {
        try {
            handleField.setLong(nativeObject, 0);
        } catch (IllegalAccessException e) {
            LOG.debug("Could not clear the handle of a released {}", nativeObject.getClass().getSimpleName());
        }
    }

    /** Drops one reference to the reference-counted WebRTC object at {@code handle}. */
    private boolean release(long handle, String objectKind) {
        RTCDataChannel alias;
        try {
            alias = channelConstructor.newInstance();
            handleField.setLong(alias, handle);
        } catch (ReflectiveOperationException e) {
            LOG.debug("Could not release a closed {}: {}", objectKind, e.toString());
            return false;
        }
        try {
            alias.dispose();
            return true;
        } catch (Error e) {
            if (e instanceof VirtualMachineError) {
                throw e;
            }
            // dispose() throws when another owner, such as an operation still queued in WebRTC,
            // has a reference. The reference this class dropped is gone, and that owner frees the
            // object when it finishes.
            LOG.debug("A closed {} is still referenced inside WebRTC and is freed later", objectKind);
            return false;
        }
    }
}
