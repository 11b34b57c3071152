package io.contop.host.credentials.internal;

import io.contop.host.api.ProviderCredential;

/** One configured provider credential, registered by each factory configuration. */
public interface ProviderCredentialSource {
    ProviderCredential credential();
}
