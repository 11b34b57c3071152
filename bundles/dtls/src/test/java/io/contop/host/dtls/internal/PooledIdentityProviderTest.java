package io.contop.host.dtls.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.contop.host.api.DtlsIdentity;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
    void concurrentIssuesOnEmptyPoolComplete() throws Exception {
        PooledIdentityProvider provider = new PooledIdentityProvider(config(1, 90));
        try {
            List<CompletableFuture<DtlsIdentity>> issued = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                issued.add(provider.issue().toCompletableFuture());
            }
            Set<String> fingerprints = new HashSet<>();
            for (CompletableFuture<DtlsIdentity> identity : issued) {
                fingerprints.add(identity.get(60, TimeUnit.SECONDS).fingerprintSha256());
            }
            assertEquals(5, fingerprints.size());
        } finally {
            provider.deactivate();
        }
    }

    @Test
    void sequentialIssuesWithoutPoolComplete() throws Exception {
        PooledIdentityProvider provider = new PooledIdentityProvider(config(0, 90));
        try {
            Set<String> fingerprints = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                fingerprints.add(provider.issue().toCompletableFuture().get(30, TimeUnit.SECONDS).fingerprintSha256());
            }
            assertEquals(20, fingerprints.size());
        } finally {
            provider.deactivate();
        }
    }

    @Test
    void issueAfterDeactivateFails() throws Exception {
        PooledIdentityProvider provider = new PooledIdentityProvider(config(0, 90));
        provider.deactivate();

        CompletableFuture<DtlsIdentity> issued = provider.issue().toCompletableFuture();

        ExecutionException error = assertThrows(ExecutionException.class, () -> issued.get(10, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, error.getCause());
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
