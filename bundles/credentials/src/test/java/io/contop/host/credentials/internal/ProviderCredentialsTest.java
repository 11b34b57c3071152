package io.contop.host.credentials.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.contop.host.api.Provider;
import io.contop.host.api.ProviderCredential;
import java.lang.annotation.Annotation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderCredentialsTest {

    @Test
    void environmentVariablesAreFallback() {
        MergedProviderCredentials credentials = new MergedProviderCredentials(
                Map.of("GEMINI_API_KEY", "gem-key", "ANTHROPIC_API_KEY", " ")::get);
        List<ProviderCredential> current = credentials.current();

        assertEquals(1, current.size());
        assertEquals(Provider.GEMINI, current.get(0).provider());
        assertEquals("gem-key", current.get(0).apiKey());
    }

    @Test
    void configurationOverridesEnvironment() {
        MergedProviderCredentials credentials = new MergedProviderCredentials(Map.of("GEMINI_API_KEY", "env")::get);
        credentials.add(new ConfiguredProviderCredential(config("gemini", "", true)));
        credentials.add(new ConfiguredProviderCredential(config("openai", "sk-1", false)));
        List<ProviderCredential> current = credentials.current();

        assertEquals(2, current.size());
        assertTrue(current.get(0).subscription());
        assertNull(current.get(0).apiKey());
        assertEquals("sk-1", current.get(1).apiKey());
    }

    @Test
    void invalidConfigurationIsRejected() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> ConfiguredProviderCredential.parse(config("mistral", "k", false)));
        assertTrue(unknown.getMessage().contains("provider"));

        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> ConfiguredProviderCredential.parse(config("gemini", "", false)));
        assertTrue(empty.getMessage().contains("api.key"));

        IllegalArgumentException spaces = assertThrows(IllegalArgumentException.class,
                () -> ConfiguredProviderCredential.parse(config("gemini", "secret key", false)));
        assertFalse(spaces.getMessage().contains("secret"));
    }

    @Test
    void toStringHidesKey() {
        ProviderCredential credential = ConfiguredProviderCredential.parse(config("openai", "sk-secret", false));
        assertFalse(credential.toString().contains("sk-secret"));
    }

    static ConfiguredProviderCredential.Config config(String provider, String key, boolean subscription) {
        return new ConfiguredProviderCredential.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return ConfiguredProviderCredential.Config.class;
            }

            @Override
            public String provider() {
                return provider;
            }

            @Override
            public String api_key() {
                return key;
            }

            @Override
            public boolean subscription() {
                return subscription;
            }
        };
    }
}
