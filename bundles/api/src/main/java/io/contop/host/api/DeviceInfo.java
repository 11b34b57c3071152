package io.contop.host.api;

import java.time.Instant;

/**
 * What the host has learned about the device behind a token: the name and location it reported,
 * the address and network path it last connected from, and when.
 *
 * @param name the name the phone reported, or null
 * @param lastLocation the last location the phone reported, or null
 * @param lastIp the address of the last signaling connection, or null
 * @param connectionPath {@code lan}, {@code tailscale} or {@code tunnel}, or null before the first connection
 * @param lastSeen the time of the last signaling message, or null
 */
public record DeviceInfo(String name, String lastLocation, String lastIp, String connectionPath, Instant lastSeen) {
    /** A device the host has not heard from yet. */
    public static final DeviceInfo EMPTY = new DeviceInfo(null, null, null, null, null);

    public DeviceInfo withName(String newName) {
        return new DeviceInfo(newName, lastLocation, lastIp, connectionPath, lastSeen);
    }

    public DeviceInfo withLocation(String newLocation) {
        return new DeviceInfo(name, newLocation, lastIp, connectionPath, lastSeen);
    }

    public DeviceInfo withConnection(String ip, String path, Instant seen) {
        return new DeviceInfo(name, lastLocation, ip, path, seen);
    }

    public DeviceInfo withLastSeen(Instant seen) {
        return new DeviceInfo(name, lastLocation, lastIp, connectionPath, seen);
    }
}
