package io.contop.host.api;

import java.util.Optional;

/**
 * A way for the phone to reach the host's signaling endpoint: the LAN address, the Tailscale
 * address, a tunnel URL, or any path a bundle adds later. Each path bundle registers one service;
 * the QR code and {@code GET /api/connection-info} use the paths registered at that moment, in
 * order of service ranking (highest first).
 *
 * <p>{@link #currentAddress()} must return at once from a cached value: detection runs in the
 * background and never delays a pairing.
 */
public interface NetworkPath {
    /** Service property naming the path's id, so that consumers can filter on it. */
    String PROPERTY_ID = "contop.path.id";

    /** Returns a short stable id such as {@code lan}, {@code tailscale} or {@code tunnel}. */
    String id();

    /** Returns the QR payload key this path fills, such as {@code h}, {@code ts} or {@code s}. */
    String qrKey();

    /** Returns the address or URL found by the last detection, or empty when the path is unavailable. */
    Optional<String> currentAddress();

    /** Returns whether QR codes for tokens of {@code type} carry this path. */
    default boolean appliesTo(ConnectionType type) {
        return true;
    }
}
