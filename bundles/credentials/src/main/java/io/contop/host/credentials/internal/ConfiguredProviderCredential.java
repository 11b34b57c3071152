package io.contop.host.credentials.internal;

import io.contop.host.api.Provider;
import io.contop.host.api.ProviderCredential;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * A provider credential from one factory configuration of
 * {@code io.contop.host.credentials.provider}, for example {@code io.contop.host.credentials.provider-gemini.cfg}.
 */
@Component(immediate = true, service = ProviderCredentialSource.class, configurationPid = ConfiguredProviderCredential.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = ConfiguredProviderCredential.Config.class, factory = true)
public final class ConfiguredProviderCredential implements ProviderCredentialSource {
    static final String FACTORY_PID = "io.contop.host.credentials.provider";

    @ObjectClassDefinition(name = "Contop Host provider credential",
            description = "An API key or subscription mode for one AI provider; one configuration per provider.")
    public @interface Config {
        @AttributeDefinition(name = "Provider", options = {
            @Option(value = "gemini"), @Option(value = "openai"), @Option(value = "anthropic"),
            @Option(value = "openrouter")}, description = "The provider this credential is for.")
        String provider();

        @AttributeDefinition(name = "API key", type = AttributeType.PASSWORD, required = false,
                description = "The provider's API key; leave empty in subscription mode.")
        String api_key() default "";

        @AttributeDefinition(name = "Subscription mode", required = false,
                description = "Requests go through the desktop's subscription; the phone gets no key.")
        boolean subscription() default false;
    }

    private final ProviderCredential credential;

    @Activate
    public ConfiguredProviderCredential(Config config) {
        this.credential = parse(config);
    }

    static ProviderCredential parse(Config config) {
        Provider provider = Provider.fromId(config.provider()).orElseThrow(() -> new IllegalArgumentException(
                "provider must be one of gemini, openai, anthropic, openrouter; was \"" + config.provider() + "\""));
        String key = config.api_key() == null ? "" : config.api_key().strip();
        if (!config.subscription() && key.isEmpty()) {
            throw new IllegalArgumentException("api.key is empty for provider " + provider.id()
                    + "; set api.key or subscription=true");
        }
        if (!key.isEmpty() && !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("api.key for provider " + provider.id()
                    + " contains spaces or characters outside printable ASCII");
        }
        return new ProviderCredential(provider, config.subscription() ? null : key, config.subscription());
    }

    @Override
    public ProviderCredential credential() {
        return credential;
    }
}
