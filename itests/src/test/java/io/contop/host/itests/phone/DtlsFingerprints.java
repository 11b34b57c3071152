package io.contop.host.itests.phone;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads and compares SHA-256 certificate fingerprints as SDP writes them
 * ({@code a=fingerprint:sha-256 AB:CD:...}) and as the pairing QR code carries them (64 hex
 * digits without colons).
 */
final class DtlsFingerprints {

    private static final String SHA256_ATTRIBUTE = "a=fingerprint:sha-256 ";

    private DtlsFingerprints() {
    }

    /** Returns the values of all {@code a=fingerprint:sha-256} lines of {@code sdp}, session and media level, as written there. */
    static List<String> sha256Lines(String sdp) {
        List<String> fingerprints = new ArrayList<>();
        for (String line : sdp.split("\r?\n")) {
            String trimmed = line.strip();
            if (trimmed.regionMatches(true, 0, SHA256_ATTRIBUTE, 0, SHA256_ATTRIBUTE.length())) {
                fingerprints.add(trimmed.substring(SHA256_ATTRIBUTE.length()).strip());
            }
        }
        return fingerprints;
    }

    /**
     * Returns {@code fingerprint} without colons, in upper case.
     *
     * @throws IllegalArgumentException when the result is not 64 hex digits
     */
    static String normalize(String fingerprint) {
        String hex = stripColons(fingerprint);
        if (!hex.matches("[0-9A-F]{64}")) {
            throw new IllegalArgumentException("Invalid fingerprint '" + fingerprint
                    + "': expected a SHA-256 fingerprint of 64 hex digits, with or without colons");
        }
        return hex;
    }

    /** Returns {@code fingerprint} without colons, in upper case, without checking its length. */
    static String stripColons(String fingerprint) {
        return fingerprint.replace(":", "").toUpperCase(Locale.ROOT);
    }

    /** Returns {@code hex} as colon-separated pairs, the way SDP writes a fingerprint. */
    static String withColons(String hex) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < hex.length(); i += 2) {
            if (i > 0) {
                text.append(':');
            }
            text.append(hex, i, i + 2);
        }
        return text.toString();
    }
}
