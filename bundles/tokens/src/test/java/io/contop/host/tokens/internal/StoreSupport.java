package io.contop.host.tokens.internal;

import io.contop.host.api.DtlsIdentity;
import io.contop.host.api.DtlsIdentityProvider;
import io.contop.host.api.PairingToken;
import io.contop.host.dtls.internal.PooledIdentityProvider;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opens token stores on test directories with the real DTLS provider, and deactivates every store
 * it opened when the test ends.
 */
final class StoreSupport {
    /** The clock's start in tests that use one; the legacy fixture's tokens are valid at this time. */
    static final Instant START = Instant.parse("2026-04-10T00:00:00Z");

    /** One provider for all tests: it keeps a few certificates ready, so pairings rarely wait for RSA keys. */
    static final PooledIdentityProvider IDENTITIES = new PooledIdentityProvider(dtlsConfig(4));

    private final List<PairingTokenStore> opened = new ArrayList<>();

    PairingTokenStore open(Path directory, Clock clock) throws IOException {
        return open(directory, clock, IDENTITIES, 200);
    }

    PairingTokenStore open(Path directory, Clock clock, DtlsIdentityProvider identities, int eventsCapacity)
            throws IOException {
        return open(config(directory, eventsCapacity, 60), clock, identities);
    }

    /** Opens a store whose device data changes are saved {@code deviceSaveSeconds} after they happen. */
    PairingTokenStore openWithDeviceSaveDelay(Path directory, Clock clock, int deviceSaveSeconds) throws IOException {
        return open(config(directory, 200, deviceSaveSeconds), clock, IDENTITIES);
    }

    private PairingTokenStore open(PairingTokenStore.Config config, Clock clock, DtlsIdentityProvider identities)
            throws IOException {
        PairingTokenStore store = new PairingTokenStore(identities, config, clock);
        opened.add(store);
        return store;
    }

    /** Deactivates every store opened so far, which waits for their pending saves. */
    void closeAll() throws InterruptedException {
        for (PairingTokenStore store : opened) {
            store.deactivate();
        }
        opened.clear();
    }

    static PairingToken await(CompletionStage<PairingToken> stage)
            throws InterruptedException, ExecutionException, TimeoutException {
        return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    static PairingTokenStore.Config config(Path directory, int eventsCapacity) {
        return config(directory, eventsCapacity, 60);
    }

    static PairingTokenStore.Config config(Path directory, int eventsCapacity, int deviceSaveSeconds) {
        return new PairingTokenStore.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return PairingTokenStore.Config.class;
            }

            @Override
            public String data_dir() {
                return directory.toString();
            }

            @Override
            public int events_capacity() {
                return eventsCapacity;
            }

            @Override
            public int device_save_seconds() {
                return deviceSaveSeconds;
            }
        };
    }

    static PooledIdentityProvider.Config dtlsConfig(int poolSize) {
        return new PooledIdentityProvider.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return PooledIdentityProvider.Config.class;
            }

            @Override
            public int pool_size() {
                return poolSize;
            }

            @Override
            public int validity_days() {
                return 90;
            }
        };
    }

    /**
     * A provider whose key generation fails, returning a failed stage or throwing at once; stored
     * certificates are restored by the real provider.
     */
    static final class FailingIdentityProvider implements DtlsIdentityProvider {
        private final boolean throwAtOnce;

        FailingIdentityProvider(boolean throwAtOnce) {
            this.throwAtOnce = throwAtOnce;
        }

        @Override
        public CompletionStage<DtlsIdentity> issue() {
            IllegalStateException failure = new IllegalStateException("RSA key generation failed in this test");
            if (throwAtOnce) {
                throw failure;
            }
            return CompletableFuture.failedFuture(failure);
        }

        @Override
        public DtlsIdentity restore(String certificatePem, String privateKeyPem) {
            return IDENTITIES.restore(certificatePem, privateKeyPem);
        }
    }
}
