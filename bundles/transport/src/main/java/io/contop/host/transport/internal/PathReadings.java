package io.contop.host.transport.internal;

import io.contop.host.api.ConnectionType;
import io.contop.host.api.NetworkPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads each network path once for a QR code or {@code GET /api/connection-info}. A path bundle
 * that throws loses only its own entry: pairing and the other paths go on.
 */
final class PathReadings {
    /**
     * One path as read now.
     *
     * @param address the path's address, or null when it has none
     * @param applies whether the path applies to the connection type it was read for
     */
    record Reading(String id, String qrKey, String address, boolean applies) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(PathReadings.class);
    private static final Map<String, AtomicLong> FAILURES = new ConcurrentHashMap<>();

    private PathReadings() {
    }

    /**
     * Reads the paths in order, leaving out each one that throws.
     *
     * @param type the type of the QR code being built, passed to each path's
     *     {@link NetworkPath#appliesTo}, which may act on the call (the tunnel path may start its
     *     tunnel); null calls {@code appliesTo} on no path
     */
    static List<Reading> read(List<NetworkPath> paths, ConnectionType type) {
        List<Reading> readings = new ArrayList<>();
        for (NetworkPath path : paths) {
            try {
                readings.add(new Reading(path.id(), path.qrKey(), path.currentAddress().orElse(null),
                        type == null || path.appliesTo(type)));
            } catch (RuntimeException e) {
                String name = path.getClass().getName();
                long failures = FAILURES.computeIfAbsent(name, key -> new AtomicLong()).incrementAndGet();
                if (failures == 1 || failures % 100 == 0) {
                    LOG.warn("Network path {} failed ({} time(s)) and is left out of the QR code and connection info: {}",
                            name, failures, e.toString());
                }
            }
        }
        return readings;
    }
}
