package io.contop.host.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The fields of a pairing QR code, in the order they are written. Values are strings, numbers or
 * nested maps of strings (the {@code pa} subscription flags). Immutable; {@link #toString()}
 * lists the keys only, since values include the token and API keys.
 */
public final class QrPayload {
    private final Map<String, Object> fields;

    private QrPayload(Map<String, Object> fields) {
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    public Map<String, Object> fields() {
        return fields;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String toString() {
        return "QrPayload" + fields.keySet();
    }

    /** Collects fields in insertion order; a null value leaves the key out. */
    public static final class Builder {
        private final Map<String, Object> fields = new LinkedHashMap<>();

        public Builder put(String key, Object value) {
            Objects.requireNonNull(key, "key");
            if (value != null) {
                fields.put(key, value);
            }
            return this;
        }

        public QrPayload build() {
            return new QrPayload(fields);
        }
    }
}
