package io.contop.host.api;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** Kind of pairing, which fixes the token's lifetime and whether it is persisted. */
public enum ConnectionType {
    /** A device of the user's own: valid for 30 days and kept in {@code tokens.json}. */
    PERMANENT("permanent", Duration.ofDays(30)),
    /** A guest or demo device: valid for 4 hours and kept in memory only. */
    TEMP("temp", Duration.ofHours(4));

    private final String wireName;
    private final Duration lifetime;

    ConnectionType(String wireName, Duration lifetime) {
        this.wireName = wireName;
        this.lifetime = lifetime;
    }

    /** Returns the name used on the wire and in {@code tokens.json}: {@code permanent} or {@code temp}. */
    public String wireName() {
        return wireName;
    }

    /** Returns the time from creation to expiry of a token of this type. */
    public Duration lifetime() {
        return lifetime;
    }

    /** Parses a wire name, ignoring case; returns empty for null or any other value. */
    public static Optional<ConnectionType> fromWireName(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String lower = value.toLowerCase(Locale.ROOT);
        for (ConnectionType type : values()) {
            if (type.wireName.equals(lower)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
