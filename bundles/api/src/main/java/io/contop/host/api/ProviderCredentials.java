package io.contop.host.api;

import java.util.List;

/** The provider credentials configured now. Implementations are thread-safe. */
public interface ProviderCredentials {

    /** Returns the configured credentials, at most one per provider, in {@link Provider} order. */
    List<ProviderCredential> current();
}
