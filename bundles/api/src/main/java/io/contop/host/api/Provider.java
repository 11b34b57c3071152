package io.contop.host.api;

import java.util.Locale;
import java.util.Optional;

/** An AI provider whose credentials the host passes to the phone. */
public enum Provider {
    GEMINI("gemini", "g", "GEMINI_API_KEY"),
    OPENAI("openai", "o", "OPENAI_API_KEY"),
    ANTHROPIC("anthropic", "a", "ANTHROPIC_API_KEY"),
    OPENROUTER("openrouter", "r", "OPENROUTER_API_KEY");

    private final String id;
    private final String qrKey;
    private final String environmentVariable;

    Provider(String id, String qrKey, String environmentVariable) {
        this.id = id;
        this.qrKey = qrKey;
        this.environmentVariable = environmentVariable;
    }

    /** Returns the lower-case name used in configuration and in {@code provider_auth}. */
    public String id() {
        return id;
    }

    /** Returns the QR payload key of the API key, also used inside {@code pa}. */
    public String qrKey() {
        return qrKey;
    }

    /** Returns the environment variable read as a fallback for the API key. */
    public String environmentVariable() {
        return environmentVariable;
    }

    public static Optional<Provider> fromId(String value) {
        for (Provider provider : values()) {
            if (provider.id.equals(value == null ? null : value.toLowerCase(Locale.ROOT))) {
                return Optional.of(provider);
            }
        }
        return Optional.empty();
    }
}
