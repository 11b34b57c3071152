package io.contop.host.credentials.internal;

import io.contop.host.api.Provider;
import io.contop.host.api.ProviderCredential;
import io.contop.host.api.ProviderCredentials;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credentials in force: a provider's factory configuration when there is one, otherwise its
 * environment variable ({@code GEMINI_API_KEY}, {@code OPENAI_API_KEY}, {@code ANTHROPIC_API_KEY},
 * {@code OPENROUTER_API_KEY}). Configurations are read at each call, so a changed file shows in
 * the next QR code.
 */
@Component(immediate = true, service = ProviderCredentials.class)
public final class MergedProviderCredentials implements ProviderCredentials {
    private static final Logger LOG = LoggerFactory.getLogger(MergedProviderCredentials.class);

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<ProviderCredentialSource> configured = new ArrayList<>();

    private final Function<String, String> environment;

    @Activate
    public MergedProviderCredentials() {
        this(System::getenv);
    }

    MergedProviderCredentials(Function<String, String> environment) {
        this.environment = environment;
    }

    @Activate
    void logProviders() {
        List<ProviderCredential> current = current();
        if (current.isEmpty()) {
            LOG.warn("No AI provider is configured; pairing fails until an API key or subscription is set "
                    + "(for example GEMINI_API_KEY, or config/io.contop.host.credentials.provider-gemini.cfg)");
        } else {
            LOG.info("Providers configured: {}", current.stream().map(c -> c.provider().id()
                    + (c.subscription() ? " (subscription)" : " (api key)")).toList());
        }
    }

    @Override
    public List<ProviderCredential> current() {
        Map<Provider, ProviderCredential> byProvider = new EnumMap<>(Provider.class);
        for (Provider provider : Provider.values()) {
            String key = environment.apply(provider.environmentVariable());
            if (key != null && !key.isBlank()) {
                byProvider.put(provider, new ProviderCredential(provider, key.strip(), false));
            }
        }
        for (ProviderCredentialSource source : configured) {
            ProviderCredential credential = source.credential();
            byProvider.put(credential.provider(), credential);
        }
        return List.copyOf(byProvider.values());
    }

    void add(ProviderCredentialSource source) {
        List<ProviderCredentialSource> updated = new ArrayList<>(configured);
        updated.add(source);
        configured = updated;
    }
}
