package io.contop.host.dtls.internal;

import io.contop.host.api.DtlsIdentity;
import io.contop.host.api.DtlsIdentityProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues DTLS identities from a pool of certificates generated ahead of demand, so that a pairing
 * request does not wait for RSA key generation. Each pooled certificate is removed from the pool
 * when issued, so no certificate is ever given to two tokens.
 */
@Component(immediate = true, service = DtlsIdentityProvider.class, configurationPid = "io.contop.host.dtls")
@Designate(ocd = PooledIdentityProvider.Config.class)
public final class PooledIdentityProvider implements DtlsIdentityProvider {

    @ObjectClassDefinition(name = "Contop Host DTLS identity",
            description = "RSA-2048 certificates for the pairing tokens.")
    public @interface Config {
        @AttributeDefinition(name = "Pool size", min = "0", max = "64",
                description = "Certificates generated ahead of demand; 0 generates each one on request.")
        int pool_size() default 4;

        @AttributeDefinition(name = "Validity (days)", min = "31", max = "3650",
                description = "Lifetime of a new certificate in days; longer than the 30-day permanent token.")
        int validity_days() default 90;
    }

    /** A pooled certificate must outlive a new permanent token by this margin to be handed out. */
    private static final Duration MINIMUM_REMAINING = Duration.ofDays(31);

    private static final Logger LOG = LoggerFactory.getLogger(PooledIdentityProvider.class);

    private final CertificateFactory factory;
    private final int poolSize;
    private final BlockingQueue<DtlsIdentity> pool = new LinkedBlockingQueue<>();
    /** Callers of {@link #issue()} that found the pool empty, oldest first. */
    private final Queue<CompletableFuture<DtlsIdentity>> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingRefills = new AtomicInteger();
    private final ExecutorService generator;

    @Activate
    public PooledIdentityProvider(Config config) {
        if (config.pool_size() < 0) {
            throw new IllegalArgumentException("pool.size must be 0 or more, was " + config.pool_size());
        }
        if (config.validity_days() < 31) {
            throw new IllegalArgumentException("validity.days must be at least 31, was " + config.validity_days());
        }
        this.factory = new CertificateFactory(Duration.ofDays(config.validity_days()));
        this.poolSize = config.pool_size();
        this.generator = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "contop-dtls-keygen");
            thread.setDaemon(true);
            return thread;
        });
        refill();
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        generator.shutdownNow();
        generator.awaitTermination(5, TimeUnit.SECONDS);
        failWaiting(new IllegalStateException("the DTLS identity provider has stopped"));
        pool.clear();
    }

    /**
     * {@inheritDoc}
     *
     * <p>When the pool is empty, the caller gets the next certificate the generator finishes, ahead
     * of the pool's refills, so it waits for one key generation rather than for the refills queued
     * before it.
     */
    @Override
    public CompletionStage<DtlsIdentity> issue() {
        DtlsIdentity pooled = takeFresh();
        if (pooled != null) {
            refill();
            return CompletableFuture.completedFuture(pooled);
        }
        CompletableFuture<DtlsIdentity> result = new CompletableFuture<>();
        waiting.add(result);
        // A certificate may have reached the pool after takeFresh() found none; hand it over then.
        DtlsIdentity late = takeFresh();
        if (late != null) {
            if (waiting.remove(result)) {
                result.complete(late);
            } else {
                pool.add(late);
            }
        }
        refill();
        return result;
    }

    @Override
    public DtlsIdentity restore(String certificatePem, String privateKeyPem) {
        return factory.restore(certificatePem, privateKeyPem);
    }

    /** Returns the number of certificates ready in the pool. */
    int pooled() {
        return pool.size();
    }

    private DtlsIdentity takeFresh() {
        Instant limit = Instant.now().plus(MINIMUM_REMAINING);
        DtlsIdentity identity;
        while ((identity = pool.poll()) != null) {
            if (identity.notAfter().isAfter(limit)) {
                return identity;
            }
        }
        return null;
    }

    /** Queues key generations until the pool and the waiting callers are covered. */
    private void refill() {
        while (pool.size() + pendingRefills.get() < poolSize + waiting.size()) {
            pendingRefills.incrementAndGet();
            try {
                generator.execute(this::generate);
            } catch (RejectedExecutionException e) {
                pendingRefills.decrementAndGet();
                failWaiting(new IllegalStateException("the DTLS identity provider has stopped"));
                return;
            }
        }
    }

    /**
     * Generates one certificate for the oldest waiting caller, or for the pool when none waits.
     * The generation stops counting as pending before its certificate is handed out, so a caller
     * that is handed one and calls {@link #issue()} again at once gets a generation of its own.
     */
    private void generate() {
        DtlsIdentity identity;
        try {
            identity = factory.create();
        } catch (RuntimeException e) {
            pendingRefills.decrementAndGet();
            LOG.error("Could not generate a DTLS certificate: {}", e.getMessage());
            CompletableFuture<DtlsIdentity> caller = waiting.poll();
            if (caller != null) {
                caller.completeExceptionally(e);
            }
            return;
        }
        pendingRefills.decrementAndGet();
        CompletableFuture<DtlsIdentity> caller;
        do {
            caller = waiting.poll();
        } while (caller != null && !caller.complete(identity));
        if (caller == null) {
            pool.add(identity);
        }
        refill();
    }

    private void failWaiting(RuntimeException error) {
        CompletableFuture<DtlsIdentity> caller;
        while ((caller = waiting.poll()) != null) {
            caller.completeExceptionally(error);
        }
    }
}
