package io.contop.host.dtls.internal;

import io.contop.host.api.DtlsIdentity;
import io.contop.host.benchmarks.fixture.Configs;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * DTLS certificate issue as a pairing sees it: from a full pool, and with no pool (RSA-2048 key
 * generation and signing on the provider's thread), and the restore of a stored certificate that
 * start-up does once per permanent token. In this package to read the pool's fill level.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class IdentityIssueBenchmark {
    private static final int POOL_SIZE = 4;
    private static final Duration FILL_TIMEOUT = Duration.ofSeconds(60);

    /** A provider with the default pool of 4, refilled before every invocation. */
    @State(Scope.Thread)
    public static class FullPool {
        PooledIdentityProvider provider;

        @Setup(Level.Trial)
        public void start() {
            provider = new PooledIdentityProvider(Configs.of(PooledIdentityProvider.Config.class,
                    Map.of("pool_size", POOL_SIZE)));
        }

        /**
         * Waits until the pool is full again, so that each issue is a hit and no key generation
         * from the previous one runs while it is timed.
         */
        @Setup(Level.Invocation)
        public void awaitFull() throws InterruptedException {
            long deadline = System.nanoTime() + FILL_TIMEOUT.toNanos();
            while (provider.pooled() < POOL_SIZE) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the certificate pool did not refill within " + FILL_TIMEOUT);
                }
                Thread.sleep(1);
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            provider.deactivate();
        }
    }

    /** A provider without a pool: every issue generates a key. */
    @State(Scope.Thread)
    public static class NoPool {
        PooledIdentityProvider provider;

        @Setup(Level.Trial)
        public void start() {
            provider = new PooledIdentityProvider(Configs.of(PooledIdentityProvider.Config.class,
                    Map.of("pool_size", 0)));
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            provider.deactivate();
        }
    }

    /** One stored certificate and its key, as PEM text. */
    @State(Scope.Thread)
    public static class Stored {
        CertificateFactory factory;
        DtlsIdentity identity;

        @Setup(Level.Trial)
        public void start() {
            factory = new CertificateFactory(Duration.ofDays(90));
            identity = factory.create();
        }
    }

    @Benchmark
    public DtlsIdentity issueFromPool(FullPool state) {
        return state.provider.issue().toCompletableFuture().join();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public DtlsIdentity issueWithoutPool(NoPool state) {
        return state.provider.issue().toCompletableFuture().join();
    }

    @Benchmark
    public DtlsIdentity restoreStored(Stored state) {
        return state.factory.restore(state.identity.certificatePem(), state.identity.privateKeyPem());
    }
}
