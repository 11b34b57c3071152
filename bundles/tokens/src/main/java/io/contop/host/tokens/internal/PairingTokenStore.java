package io.contop.host.tokens.internal;

import io.contop.host.api.ConnectionType;
import io.contop.host.api.DeviceEvent;
import io.contop.host.api.DeviceInfo;
import io.contop.host.api.DtlsIdentity;
import io.contop.host.api.DtlsIdentityProvider;
import io.contop.host.api.PairingException;
import io.contop.host.api.PairingToken;
import io.contop.host.api.TokenEndReason;
import io.contop.host.api.TokenListener;
import io.contop.host.api.TokenStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token store: permanent tokens persisted in {@code tokens.json}, temporary ones in memory.
 *
 * <p>All state changes happen under one lock. Tokens are indexed by their SHA-256 digest, and the
 * final comparison uses {@link MessageDigest#isEqual}, so validation time does not depend on how
 * much of a guessed token matches. Expired tokens are swept every second.
 */
@Component(immediate = true, service = TokenStore.class, configurationPid = "io.contop.host.tokens")
@Designate(ocd = PairingTokenStore.Config.class)
public final class PairingTokenStore implements TokenStore {

    @ObjectClassDefinition(name = "Contop Host token store", description = "Pairing tokens and device events.")
    public @interface Config {
        @AttributeDefinition(name = "Data directory",
                description = "Directory of tokens.json; empty means the contop.data.dir system property, else ~/.contop.")
        String data_dir() default "";

        @AttributeDefinition(name = "Events kept", min = "100", max = "100000",
                description = "Number of recent device events kept for GET /api/devices.")
        int events_capacity() default 200;
    }

    private static final Logger LOG = LoggerFactory.getLogger(PairingTokenStore.class);

    private final DtlsIdentityProvider identities;
    private final Clock clock;
    private final TokenFile file;
    private final EventRing events;
    private final SaveQueue saves;
    private final Map<String, Entry> byDigest = new LinkedHashMap<>();
    private final ExecutorService notifier = Executors.newSingleThreadExecutor(
            runnable -> daemonThread(runnable, "contop-token-events"));
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            runnable -> daemonThread(runnable, "contop-token-expiry"));

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<TokenListener> listeners = new ArrayList<>();

    /** A valid token with the fields of its entry that this host does not interpret. */
    private record Entry(PairingToken token, com.fasterxml.jackson.databind.node.ObjectNode extra) {
    }

    @Activate
    public PairingTokenStore(@Reference DtlsIdentityProvider identities, Config config) throws IOException {
        this(identities, config, Clock.systemUTC());
    }

    PairingTokenStore(DtlsIdentityProvider identities, Config config, Clock clock) throws IOException {
        if (config.events_capacity() < 100) {
            throw new IllegalArgumentException("events.capacity must be at least 100, was " + config.events_capacity());
        }
        this.identities = identities;
        this.clock = clock;
        this.file = new TokenFile(dataDirectory(config));
        this.events = new EventRing(config.events_capacity());
        this.saves = new SaveQueue(this::snapshot);
        load();
        sweeper.scheduleWithFixedDelay(this::sweepExpired, 1, 1, TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        sweeper.shutdownNow();
        saves.close();
        notifier.shutdown();
        notifier.awaitTermination(2, TimeUnit.SECONDS);
    }

    static Path dataDirectory(Config config) {
        if (config.data_dir() != null && !config.data_dir().isBlank()) {
            return Path.of(config.data_dir());
        }
        String property = System.getProperty("contop.data.dir");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        return Path.of(System.getProperty("user.home"), ".contop");
    }

    @Override
    public CompletionStage<PairingToken> pair(String deviceId, ConnectionType type) {
        if (type == ConnectionType.PERMANENT) {
            synchronized (this) {
                Optional<PairingToken> selected = selectLocked(deviceId);
                if (selected.isPresent() && selected.get().connectionType() == ConnectionType.PERMANENT) {
                    LOG.info("Renewed pairing {} for device {}", selected.get().prefix(), deviceId);
                    return CompletableFuture.completedFuture(selected.get());
                }
            }
        }
        return identities.issue()
                .exceptionally(error -> {
                    throw new PairingException("Failed to generate the DTLS certificate", error);
                })
                .thenCompose(identity -> store(deviceId, type, identity));
    }

    private CompletionStage<PairingToken> store(String deviceId, ConnectionType type, DtlsIdentity identity) {
        Instant now = clock.instant();
        PairingToken token = new PairingToken(UUID.randomUUID().toString(), deviceId, type, now,
                now.plus(type.lifetime()), identity, DeviceInfo.EMPTY);
        List<PairingToken> replaced = new ArrayList<>();
        boolean persist = type == ConnectionType.PERMANENT;
        synchronized (this) {
            if (deviceId != null) {
                for (Entry entry : List.copyOf(byDigest.values())) {
                    if (deviceId.equals(entry.token().deviceId())) {
                        removeLocked(entry.token());
                        replaced.add(entry.token());
                        persist |= entry.token().connectionType() == ConnectionType.PERMANENT;
                    }
                }
            }
            byDigest.put(digest(token.token()), new Entry(token, null));
        }
        for (PairingToken old : replaced) {
            recordEvent(new DeviceEvent(DeviceEvent.TYPE_TOKEN_REPLACED, old.deviceId(), old.displayName(), now,
                    "Paired again; the previous token was revoked"));
            notifyListeners(old, TokenEndReason.REPLACED);
        }
        LOG.info("Paired {} token {} for device {}", type.wireName(), token.prefix(), deviceId);

        if (!persist) {
            return CompletableFuture.completedFuture(token);
        }
        return saves.request().handle((ignored, error) -> {
            if (error != null) {
                synchronized (this) {
                    removeLocked(token);
                }
                throw new PairingException("Failed to save the pairing token", error);
            }
            return token;
        });
    }

    @Override
    public Optional<PairingToken> validate(String token) {
        if (token == null || token.isEmpty() || token.length() > 256) {
            return Optional.empty();
        }
        String key = digest(token);
        PairingToken found;
        synchronized (this) {
            Entry entry = byDigest.get(key);
            if (entry == null || !MessageDigest.isEqual(
                    entry.token().token().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
                return Optional.empty();
            }
            found = entry.token();
        }
        if (found.isExpiredAt(clock.instant())) {
            expire(found);
            return Optional.empty();
        }
        return Optional.of(found);
    }

    @Override
    public synchronized Optional<PairingToken> select(String deviceId) {
        return selectLocked(deviceId);
    }

    private Optional<PairingToken> selectLocked(String deviceId) {
        Instant now = clock.instant();
        List<PairingToken> candidates = new ArrayList<>();
        for (Entry entry : byDigest.values()) {
            PairingToken token = entry.token();
            if (!token.isExpiredAt(now) && (deviceId == null || deviceId.equals(token.deviceId()))) {
                candidates.add(token);
            }
        }
        Comparator<PairingToken> newestFirst = Comparator.comparing(PairingToken::createdAt).reversed();
        return candidates.stream()
                .filter(token -> token.connectionType() == ConnectionType.PERMANENT)
                .min(newestFirst)
                .or(() -> candidates.stream().min(newestFirst));
    }

    @Override
    public Optional<PairingToken> revoke(String deviceId) {
        PairingToken revoked;
        synchronized (this) {
            Optional<PairingToken> selected = selectLocked(deviceId);
            if (selected.isEmpty()) {
                return Optional.empty();
            }
            revoked = selected.get();
            removeLocked(revoked);
        }
        if (revoked.connectionType() == ConnectionType.PERMANENT) {
            saves.request();
        }
        LOG.info("Revoked token {} of {}", revoked.prefix(), revoked.displayName());
        recordEvent(new DeviceEvent(DeviceEvent.TYPE_REVOKED, revoked.deviceId(), revoked.displayName(),
                clock.instant(), null));
        notifyListeners(revoked, TokenEndReason.REVOKED);
        return Optional.of(revoked);
    }

    @Override
    public synchronized List<PairingToken> tokens() {
        Instant now = clock.instant();
        List<PairingToken> result = new ArrayList<>();
        for (Entry entry : byDigest.values()) {
            if (!entry.token().isExpiredAt(now)) {
                result.add(entry.token());
            }
        }
        result.sort(Comparator.comparing(PairingToken::createdAt));
        return result;
    }

    @Override
    public Optional<PairingToken> updateDevice(String token, UnaryOperator<DeviceInfo> update) {
        PairingToken updated;
        synchronized (this) {
            String key = digest(token);
            Entry entry = byDigest.get(key);
            if (entry == null || !entry.token().token().equals(token)) {
                return Optional.empty();
            }
            updated = entry.token().withDevice(update.apply(entry.token().device()));
            byDigest.put(key, new Entry(updated, entry.extra()));
        }
        if (updated.connectionType() == ConnectionType.PERMANENT) {
            saves.request();
        }
        return Optional.of(updated);
    }

    @Override
    public void recordEvent(DeviceEvent event) {
        events.add(event);
    }

    @Override
    public List<DeviceEvent> events(Instant since) {
        return events.after(since);
    }

    /** Removes every expired token, records an {@code expired} event and closes its sessions. */
    void sweepExpired() {
        try {
            Instant now = clock.instant();
            List<PairingToken> expired = new ArrayList<>();
            synchronized (this) {
                for (Entry entry : byDigest.values()) {
                    if (entry.token().isExpiredAt(now)) {
                        expired.add(entry.token());
                    }
                }
            }
            expired.forEach(this::expire);
        } catch (RuntimeException e) {
            LOG.error("Expiry sweep failed", e);
        }
    }

    private void expire(PairingToken token) {
        synchronized (this) {
            if (!removeLocked(token)) {
                return;
            }
        }
        if (token.connectionType() == ConnectionType.PERMANENT) {
            saves.request();
        }
        LOG.info("Token {} of {} expired", token.prefix(), token.displayName());
        recordEvent(new DeviceEvent(DeviceEvent.TYPE_EXPIRED, token.deviceId(), token.displayName(),
                clock.instant(), null));
        notifyListeners(token, TokenEndReason.EXPIRED);
    }

    private boolean removeLocked(PairingToken token) {
        String key = digest(token.token());
        Entry entry = byDigest.get(key);
        if (entry == null || !entry.token().token().equals(token.token())) {
            return false;
        }
        byDigest.remove(key);
        return true;
    }

    private void notifyListeners(PairingToken token, TokenEndReason reason) {
        List<TokenListener> current = listeners;
        try {
            notifier.execute(() -> {
                for (TokenListener listener : current) {
                    try {
                        listener.tokenEnded(token, reason);
                    } catch (RuntimeException e) {
                        LOG.error("A token listener failed for token {}", token.prefix(), e);
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("Token store stopping; listeners not told that {} ended", token.prefix());
        }
    }

    private synchronized SaveQueue.Writer snapshot() {
        List<StoredToken> stored = new ArrayList<>();
        for (Entry entry : byDigest.values()) {
            PairingToken token = entry.token();
            if (token.connectionType() == ConnectionType.PERMANENT) {
                DtlsIdentity identity = token.identity();
                stored.add(new StoredToken(token.token(), token.deviceId(), token.connectionType(), token.createdAt(),
                        token.expiresAt(), identity.fingerprintSha256(), identity.certificatePem(),
                        identity.privateKeyPem(), token.device(), entry.extra()));
            }
        }
        return () -> file.save(stored);
    }

    private void load() throws IOException {
        TokenFile.Contents contents = file.load();
        Instant now = clock.instant();
        int loaded = 0;
        int dropped = 0;
        boolean rewrite = contents.skippedEntries();
        for (StoredToken stored : contents.tokens()) {
            if (!now.isBefore(stored.expiresAt())) {
                dropped++;
                rewrite = true;
                continue;
            }
            DtlsIdentity identity = restoreIdentity(stored);
            if (identity.certificatePem() != stored.certificatePem()) {
                rewrite = true;
            }
            PairingToken token = new PairingToken(stored.token(), stored.deviceId(), stored.type(),
                    stored.createdAt(), stored.expiresAt(), identity, stored.device());
            byDigest.put(digest(token.token()), new Entry(token, stored.extra()));
            loaded++;
        }
        LOG.info("Loaded {} permanent pairing(s) from {}; dropped {} expired", loaded, file.path(), dropped);
        if (rewrite) {
            saves.request();
        }
    }

    private DtlsIdentity restoreIdentity(StoredToken stored) {
        if (stored.certificatePem() != null && stored.privateKeyPem() != null) {
            try {
                return identities.restore(stored.certificatePem(), stored.privateKeyPem());
            } catch (IllegalArgumentException e) {
                LOG.warn("Certificate of token {} cannot be restored ({}); issuing a new one",
                        prefix(stored.token()), e.getMessage());
            }
        } else {
            LOG.warn("Token {} ({}) has no stored certificate; issuing a new one, so its fingerprint changes and "
                    + "the device must scan a new QR code", prefix(stored.token()), stored.deviceId());
        }
        return identities.issue().toCompletableFuture().join();
    }

    private static String prefix(String token) {
        return token.length() <= PairingToken.LOGGABLE_PREFIX_LENGTH
                ? token : token.substring(0, PairingToken.LOGGABLE_PREFIX_LENGTH);
    }

    static String digest(String token) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static Thread daemonThread(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
