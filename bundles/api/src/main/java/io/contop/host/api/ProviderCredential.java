package io.contop.host.api;

import java.util.Objects;

/**
 * The credential configured for one provider: an API key, or subscription mode in which the key
 * stays on the desktop. {@link #toString()} never shows the key.
 *
 * @param provider the provider
 * @param apiKey the API key, or null in subscription mode
 * @param subscription true when requests go through the desktop's subscription instead of a key
 */
public record ProviderCredential(Provider provider, String apiKey, boolean subscription) {
    public ProviderCredential {
        Objects.requireNonNull(provider, "provider");
        if (!subscription && (apiKey == null || apiKey.isBlank())) {
            throw new IllegalArgumentException("a provider credential needs an API key or subscription mode");
        }
    }

    @Override
    public String toString() {
        return "ProviderCredential[" + provider.id() + (subscription ? ", subscription" : ", api key set") + "]";
    }
}
