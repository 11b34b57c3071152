package io.contop.host.tokens.internal;

import io.contop.host.api.DtlsIdentity;
import io.contop.host.api.DtlsIdentityProvider;
import io.contop.host.api.PairingToken;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the entries of {@code tokens.json} into tokens at start-up: drops expired entries and
 * older duplicates of a device id, restores each stored certificate, and issues a new one where
 * an entry has none (as in files of the server Contop Host replaces) or it cannot be restored.
 */
final class TokenLoader {
    /**
     * The tokens to keep, and whether the file must be rewritten because it differs from them.
     */
    record Result(List<TokenEntry> entries, boolean rewrite) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(TokenLoader.class);

    private final DtlsIdentityProvider identities;
    private final Clock clock;

    TokenLoader(DtlsIdentityProvider identities, Clock clock) {
        this.identities = identities;
        this.clock = clock;
    }

    /** Reads the file; blocks while certificates are issued for entries without one. */
    Result load(TokenFile file) throws IOException {
        TokenFile.Contents contents = file.load();
        Instant now = clock.instant();

        List<StoredToken> current = new ArrayList<>();
        for (StoredToken stored : contents.tokens()) {
            if (now.isBefore(stored.expiresAt())) {
                current.add(stored);
            }
        }
        int expired = contents.tokens().size() - current.size();
        List<StoredToken> retained = newestPerDevice(current);

        List<TokenEntry> entries = new ArrayList<>();
        List<String> reissued = new ArrayList<>();
        boolean unrestorable = false;
        for (StoredToken stored : retained) {
            DtlsIdentity identity = restoreIdentity(stored);
            if (identity == null) {
                identity = issueIdentity(stored);
                if (identity == null) {
                    unrestorable = true;
                    continue;
                }
                reissued.add(prefix(stored.token()));
            }
            PairingToken token = new PairingToken(stored.token(), stored.deviceId(), stored.type(),
                    stored.createdAt(), stored.expiresAt(), identity, stored.device());
            entries.add(new TokenEntry(token, stored.extra()));
        }

        if (!reissued.isEmpty()) {
            LOG.warn("Issued new certificates for {} stored pairing(s) without a usable one (tokens {}); their "
                    + "fingerprints changed, so those devices must scan a new QR code", reissued.size(), reissued);
        }
        if (unrestorable) {
            file.keepCopy("unrestorable");
        }
        LOG.info("Loaded {} pairing(s) from {}; dropped {} expired", entries.size(), file.path(), expired);
        boolean rewrite = contents.skippedEntries() || retained.size() < contents.tokens().size()
                || !reissued.isEmpty() || unrestorable;
        return new Result(entries, rewrite);
    }

    /**
     * Keeps the most recently created entry of each device id, in file order, so that a device
     * has one token at most even when the file lists several.
     */
    private static List<StoredToken> newestPerDevice(List<StoredToken> stored) {
        Map<String, StoredToken> newestByDevice = new HashMap<>();
        for (StoredToken entry : stored) {
            if (entry.deviceId() != null) {
                newestByDevice.merge(entry.deviceId(), entry,
                        (first, second) -> second.createdAt().isAfter(first.createdAt()) ? second : first);
            }
        }
        List<StoredToken> retained = new ArrayList<>();
        for (StoredToken entry : stored) {
            if (entry.deviceId() == null || newestByDevice.get(entry.deviceId()) == entry) {
                retained.add(entry);
            } else {
                LOG.warn("Dropped stored token {} of device {} because the device has a newer one",
                        prefix(entry.token()), entry.deviceId());
            }
        }
        return retained;
    }

    /** Returns the stored identity, or null when the entry has none or it cannot be restored. */
    private DtlsIdentity restoreIdentity(StoredToken stored) {
        if (stored.certificatePem() == null || stored.privateKeyPem() == null) {
            return null;
        }
        try {
            return identities.restore(stored.certificatePem(), stored.privateKeyPem());
        } catch (IllegalArgumentException e) {
            LOG.warn("Certificate of stored token {} cannot be restored: {}", prefix(stored.token()), e.getMessage());
            return null;
        }
    }

    /** Returns a new identity for a stored entry, or null (after logging why) when key generation failed. */
    private DtlsIdentity issueIdentity(StoredToken stored) {
        try {
            return identities.issue().toCompletableFuture().join();
        } catch (RuntimeException e) {
            LOG.error("Dropped stored token {} of device {} because no certificate could be issued for it: {}",
                    prefix(stored.token()), stored.deviceId(), e.toString());
            return null;
        }
    }

    static String prefix(String token) {
        return token.length() <= PairingToken.LOGGABLE_PREFIX_LENGTH
                ? token : token.substring(0, PairingToken.LOGGABLE_PREFIX_LENGTH);
    }
}
