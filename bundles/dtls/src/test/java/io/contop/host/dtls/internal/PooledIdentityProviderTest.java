package io.contop.host.dtls.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.contop.host.api.DtlsIdentity;
import java.lang.annotation.Annotation;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PooledIdentityProviderTest {

    @Test
    void issuedCertificatesAreNeverShared() throws Exception {
        PooledIdentityProvider provider = new PooledIdentityProvider(config(2, 90));
        try {
            Set<String> fingerprints = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                DtlsIdentity identity = provider.issue().toCompletableFuture().get(30, TimeUnit.SECONDS);
                fingerprints.add(identity.fingerprintSha256());
            }
            assertEquals(6, fingerprints.size());
        } finally {
            provider.deactivate();
        }
    }

    @Test
    void poolFillsInBackground() throws Exception {
        PooledIdentityProvider provider = new PooledIdentityProvider(config(2, 90));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (provider.pooled() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(2, provider.pooled());
        } finally {
            provider.deactivate();
        }
    }

    @Test
    void invalidConfigurationIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new PooledIdentityProvider(config(-1, 90)));
        assertThrows(IllegalArgumentException.class, () -> new PooledIdentityProvider(config(1, 5)));
    }

    static PooledIdentityProvider.Config config(int poolSize, int validityDays) {
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
                return validityDays;
            }
        };
    }
}
