package io.contop.host.tokens.internal;

import io.contop.host.api.ConnectionType;
import io.contop.host.api.DeviceEvent;
import io.contop.host.api.DeviceInfo;
import io.contop.host.api.DtlsIdentity;
import io.contop.host.api.DtlsIdentityProvider;
import io.contop.host.api.IceServers;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * much of a guessed token matches. Expired tokens are swept every second. Times are truncated to
 * microseconds, the precision of {@code tokens.json} and of the REST API, so a token reads the
 * same before and after a restart.
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

        @AttributeDefinition(name = "Device data save delay (seconds)", min = "0", max = "3600",
                description = "Time for which a permanent device's last seen time, address, connection path and "
                        + "location may stay unsaved, so that signaling messages do not each rewrite tokens.json; "
                        + "0 saves every change at once. Pairings, renewals and revocations are always saved at once.")
        int device_save_seconds() default 60;
    }

    private static final Logger LOG = LoggerFactory.getLogger(PairingTokenStore.class);

    private final DtlsIdentityProvider identities;
    private final Clock clock;
    private final TokenFile file;
    private final EventRing events;
    private final SaveQueue saves;
    // NOTE: these are the ICE servers of the environment or the defaults. A list configured only on
    // the WebRTC engine component is not seen here, so stun_config can then differ from what it uses.
    private final List<String> iceServers = IceServers.resolve(null);
    private final Map<String, TokenEntry> byDigest = new LinkedHashMap<>();
    private final List<TokenListener> listeners = new CopyOnWriteArrayList<>();
    private final int deviceSaveSeconds;
    /** True while a device data change waits for its delayed save; guarded by this store's lock. */
    private boolean deviceChangesUnsaved;
    private final ExecutorService notifier = Executors.newSingleThreadExecutor(
            runnable -> daemonThread(runnable, "contop-token-events"));
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            runnable -> daemonThread(runnable, "contop-token-expiry"));

    @Activate
    public PairingTokenStore(@Reference DtlsIdentityProvider identities, Config config) throws IOException {
        this(identities, config, OffsetFileClock.fromSystemProperties(Clock.systemUTC()));
    }

    PairingTokenStore(DtlsIdentityProvider identities, Config config, Clock clock) throws IOException {
        if (config.events_capacity() < 100) {
            throw new IllegalArgumentException("events.capacity must be at least 100, was " + config.events_capacity());
        }
        if (config.device_save_seconds() < 0) {
            throw new IllegalArgumentException("device.save.seconds must be 0 or more, was " + config.device_save_seconds());
        }
        this.deviceSaveSeconds = config.device_save_seconds();
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
        saveDeviceChanges();
        saves.close();
        notifier.shutdown();
        notifier.awaitTermination(2, TimeUnit.SECONDS);
    }

    // Bind methods rather than an injected field, so that tests can add listeners the way DS does.
    @Reference(name = "listener", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            unbind = "removeListener")
    void addListener(TokenListener listener) {
        listeners.add(listener);
    }

    void removeListener(TokenListener listener) {
        listeners.remove(listener);
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
        Objects.requireNonNull(type, "type");
        synchronized (this) {
            Optional<PairingToken> renewed = renewableLocked(deviceId, type);
            if (renewed.isPresent()) {
                return renew(renewed.get(), deviceId);
            }
        }

        CompletionStage<DtlsIdentity> issued;
        try {
            issued = identities.issue();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new PairingException("Failed to generate the DTLS certificate", e));
        }
        return issued
                .exceptionally(error -> {
                    throw new PairingException("Failed to generate the DTLS certificate", error);
                })
                .thenCompose(identity -> store(deviceId, type, identity));
    }

    /** Returns the token that a permanent pairing for {@code deviceId} renews, if any. */
    private Optional<PairingToken> renewableLocked(String deviceId, ConnectionType type) {
        if (type != ConnectionType.PERMANENT) {
            return Optional.empty();
        }
        return selectLocked(deviceId).filter(token -> token.connectionType() == ConnectionType.PERMANENT);
    }

    private static CompletionStage<PairingToken> renew(PairingToken token, String deviceId) {
        LOG.info("Kept the valid permanent pairing {} of {} (device id {}) for a request with device id {}; "
                + "its expiry is unchanged", token.prefix(), token.displayName(), token.deviceId(), deviceId);
        return CompletableFuture.completedFuture(token);
    }

    /**
     * Adds a new token, replacing the device's old one, and completes once the change is saved.
     * Replacement events and listener calls wait for the save, so a failed pairing leaves the old
     * token in place and unannounced.
     */
    private CompletionStage<PairingToken> store(String deviceId, ConnectionType type, DtlsIdentity identity) {
        Instant now = now();
        PairingToken token = new PairingToken(UUID.randomUUID().toString(), deviceId, type, now,
                now.plus(type.lifetime()), identity, DeviceInfo.EMPTY);
        List<TokenEntry> replaced;
        synchronized (this) {
            // A concurrent request may have stored a permanent token while this one waited for its
            // certificate. Renewing that token keeps one per device without revoking a token just issued.
            Optional<PairingToken> renewed = renewableLocked(deviceId, type);
            if (renewed.isPresent()) {
                return renew(renewed.get(), deviceId);
            }
            replaced = removeDeviceLocked(deviceId);
            byDigest.put(digest(token.token()), new TokenEntry(token, TokenFile.newEntryFields(iceServers)));
        }

        boolean persist = type == ConnectionType.PERMANENT
                || replaced.stream().anyMatch(entry -> entry.token().connectionType() == ConnectionType.PERMANENT);
        if (!persist) {
            announcePairing(token, replaced);
            return CompletableFuture.completedFuture(token);
        }
        return saves.request().handle((ignored, error) -> {
            if (error != null) {
                announceReplaced(rollBack(token, replaced));
                throw new PairingException("Failed to save the pairing token", error);
            }
            announcePairing(token, replaced);
            return token;
        });
    }

    private List<TokenEntry> removeDeviceLocked(String deviceId) {
        List<TokenEntry> removed = new ArrayList<>();
        if (deviceId == null) {
            return removed;
        }
        for (TokenEntry entry : List.copyOf(byDigest.values())) {
            if (deviceId.equals(entry.token().deviceId())) {
                removeLocked(entry.token());
                removed.add(entry);
            }
        }
        return removed;
    }

    /**
     * Removes a token whose save failed and puts back the tokens it replaced, unless the device
     * paired again meanwhile.
     *
     * @return the replaced tokens that stay ended
     */
    private synchronized List<TokenEntry> rollBack(PairingToken token, List<TokenEntry> replaced) {
        removeLocked(token);
        List<TokenEntry> ended = new ArrayList<>();
        for (TokenEntry old : replaced) {
            if (selectLocked(old.token().deviceId()).isEmpty()) {
                byDigest.put(digest(old.token().token()), old);
            } else {
                ended.add(old);
            }
        }
        return ended;
    }

    private void announcePairing(PairingToken token, List<TokenEntry> replaced) {
        announceReplaced(replaced);
        LOG.info("Paired {} token {} for device {}", token.connectionType().wireName(), token.prefix(),
                token.deviceId());
    }

    private void announceReplaced(List<TokenEntry> replaced) {
        for (TokenEntry entry : replaced) {
            PairingToken old = entry.token();
            recordEvent(new DeviceEvent(DeviceEvent.TYPE_TOKEN_REPLACED, old.deviceId(), old.displayName(), now(),
                    "Paired again; the previous token was revoked"));
            notifyListeners(old, TokenEndReason.REPLACED);
        }
    }

    @Override
    public Optional<PairingToken> validate(String token) {
        PairingToken found;
        synchronized (this) {
            TokenEntry entry = findLocked(token);
            if (entry == null) {
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

    /**
     * Looks a token up by its digest and confirms it with a constant-time comparison, so the time
     * taken does not reveal how many leading characters of a guess are right.
     */
    private TokenEntry findLocked(String token) {
        if (token == null || token.isEmpty() || token.length() > 256) {
            return null;
        }
        TokenEntry entry = byDigest.get(digest(token));
        if (entry == null || !MessageDigest.isEqual(
                entry.token().token().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        return entry;
    }

    @Override
    public synchronized Optional<PairingToken> select(String deviceId) {
        return selectLocked(deviceId);
    }

    private Optional<PairingToken> selectLocked(String deviceId) {
        Instant now = clock.instant();
        List<PairingToken> candidates = new ArrayList<>();
        for (TokenEntry entry : byDigest.values()) {
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
        CompletableFuture<Void> saved = revoked.connectionType() == ConnectionType.PERMANENT ? saves.request() : null;
        LOG.info("Revoked token {} of {}", revoked.prefix(), revoked.displayName());
        recordEvent(new DeviceEvent(DeviceEvent.TYPE_REVOKED, revoked.deviceId(), revoked.displayName(), now(), null));
        notifyListeners(revoked, TokenEndReason.REVOKED);
        if (saved != null) {
            awaitRevocationSaved(saved, revoked);
        }
        return Optional.of(revoked);
    }

    /**
     * Waits until a revoked permanent token is gone from {@code tokens.json}, so that a crash after
     * {@link #revoke} returns cannot bring the token back at the next start. Live sessions are
     * closed before this wait.
     */
    private static void awaitRevocationSaved(CompletableFuture<Void> saved, PairingToken revoked) {
        try {
            saved.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.error("Token {} is revoked, but saving tokens.json failed or timed out ({}); it is valid again after "
                    + "a restart unless a later save succeeds", revoked.prefix(),
                    e.getCause() == null ? e.toString() : e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized List<PairingToken> tokens() {
        Instant now = clock.instant();
        List<PairingToken> result = new ArrayList<>();
        for (TokenEntry entry : byDigest.values()) {
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
            TokenEntry entry = findLocked(token);
            if (entry == null || entry.token().isExpiredAt(clock.instant())) {
                return Optional.empty();
            }
            updated = entry.token().withDevice(update.apply(entry.token().device()));
            byDigest.put(digest(token), new TokenEntry(updated, entry.extra()));
        }
        if (updated.connectionType() == ConnectionType.PERMANENT) {
            saveDeviceChangeLater();
        }
        return Optional.of(updated);
    }

    /**
     * Schedules a save of device data within the configured delay, so that the changes of many
     * signaling messages share one write of {@code tokens.json}. A crash loses at most that delay of
     * device data, never a token.
     */
    private void saveDeviceChangeLater() {
        if (deviceSaveSeconds == 0) {
            saves.request();
            return;
        }
        synchronized (this) {
            if (deviceChangesUnsaved) {
                return;
            }
            deviceChangesUnsaved = true;
        }
        try {
            sweeper.schedule(this::saveDeviceChanges, deviceSaveSeconds, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("Token store stopping; device data is saved by the shutdown");
        }
    }

    /** Requests a save when device data changed since the last snapshot. */
    private void saveDeviceChanges() {
        synchronized (this) {
            if (!deviceChangesUnsaved) {
                return;
            }
        }
        saves.request();
    }

    /** Appends an event, its timestamp truncated to microseconds so that a client's {@code since} excludes it. */
    @Override
    public void recordEvent(DeviceEvent event) {
        events.add(new DeviceEvent(event.type(), event.deviceId(), event.deviceName(),
                event.timestamp().truncatedTo(ChronoUnit.MICROS), event.details()));
    }

    @Override
    public List<DeviceEvent> events(Instant since) {
        return events.after(since);
    }

    /** Removes every expired token, records an {@code expired} event and notifies the listeners. */
    void sweepExpired() {
        try {
            Instant now = clock.instant();
            List<PairingToken> expired = new ArrayList<>();
            synchronized (this) {
                for (TokenEntry entry : byDigest.values()) {
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
        recordEvent(new DeviceEvent(DeviceEvent.TYPE_EXPIRED, token.deviceId(), token.displayName(), now(), null));
        notifyListeners(token, TokenEndReason.EXPIRED);
    }

    private boolean removeLocked(PairingToken token) {
        String key = digest(token.token());
        TokenEntry entry = byDigest.get(key);
        if (entry == null || !entry.token().token().equals(token.token())) {
            return false;
        }
        byDigest.remove(key);
        return true;
    }

    private void notifyListeners(PairingToken token, TokenEndReason reason) {
        List<TokenListener> current = List.copyOf(listeners);
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
        } catch (RejectedExecutionException e) {
            LOG.debug("Token store stopping; listeners not told that {} ended", token.prefix());
        }
    }

    private synchronized SaveQueue.Writer snapshot() {
        deviceChangesUnsaved = false;
        List<StoredToken> stored = new ArrayList<>();
        for (TokenEntry entry : byDigest.values()) {
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
        TokenLoader.Result loaded = new TokenLoader(identities, clock).load(file);
        for (TokenEntry entry : loaded.entries()) {
            byDigest.put(digest(entry.token().token()), entry);
        }
        if (loaded.rewrite()) {
            saves.request();
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
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
