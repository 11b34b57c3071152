package io.contop.host.webrtc.internal;

import io.contop.host.api.DtlsIdentity;
import io.contop.host.dtls.internal.PooledIdentityProvider;
import java.lang.annotation.Annotation;
import java.util.concurrent.TimeUnit;

/** Creates DTLS identities with the real DTLS bundle's provider. */
final class TestIdentities {
    private TestIdentities() {
    }

    static DtlsIdentity create() throws Exception {
        PooledIdentityProvider provider = new PooledIdentityProvider(new PooledIdentityProvider.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return PooledIdentityProvider.Config.class;
            }

            @Override
            public int pool_size() {
                return 0;
            }

            @Override
            public int validity_days() {
                return 90;
            }
        });
        return provider.issue().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
