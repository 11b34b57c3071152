package io.contop.host.api;

import java.util.ArrayList;
import java.util.List;

/** The ICE server URLs that sessions use, and the environment variable that overrides them. */
public final class IceServers {
    /** The two public STUN servers the phone app expects by default. */
    public static final List<String> DEFAULTS =
            List.of("stun:stun.l.google.com:19302", "stun:stun1.l.google.com:19302");

    /** Environment variable with comma-separated ICE server URLs; set but empty means none. */
    public static final String ENVIRONMENT_VARIABLE = "CONTOP_ICE_SERVERS";

    private IceServers() {
    }

    /** System property read when the environment variable is not set, with the same format. */
    public static final String SYSTEM_PROPERTY = "contop.ice.servers";

    /**
     * Returns the URLs from {@code CONTOP_ICE_SERVERS} when it is set, else from the
     * {@code contop.ice.servers} system property when set, else {@code configured} when not null,
     * else {@link #DEFAULTS}.
     */
    public static List<String> resolve(List<String> configured) {
        String fromEnvironment = System.getenv(ENVIRONMENT_VARIABLE);
        if (fromEnvironment != null) {
            return parse(fromEnvironment);
        }
        String fromProperty = System.getProperty(SYSTEM_PROPERTY);
        if (fromProperty != null) {
            return parse(fromProperty);
        }
        return configured != null ? List.copyOf(configured) : DEFAULTS;
    }

    /** Splits a comma-separated list of URLs, dropping blanks. */
    public static List<String> parse(String commaSeparated) {
        List<String> urls = new ArrayList<>();
        for (String part : commaSeparated.split(",")) {
            if (!part.isBlank()) {
                urls.add(part.strip());
            }
        }
        return List.copyOf(urls);
    }
}
