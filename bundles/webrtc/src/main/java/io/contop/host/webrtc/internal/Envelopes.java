package io.contop.host.webrtc.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contop.host.api.ConnectionType;
import io.contop.host.api.ProviderCredential;
import java.util.List;
import java.util.UUID;

/** Data channel messages: JSON envelopes {@code {"type":...,"id":"<uuid>","payload":{...}}}. */
final class Envelopes {
    static final String TYPE_STATE_UPDATE = "state_update";
    static final String TYPE_KEEPALIVE = "keepalive";
    static final String TYPE_SESSION_END = "session_end";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Envelopes() {
    }

    static ObjectMapper mapper() {
        return MAPPER;
    }

    static String envelope(String type, ObjectNode payload) {
        ObjectNode message = MAPPER.createObjectNode();
        message.put("type", type);
        message.put("id", UUID.randomUUID().toString());
        message.set("payload", payload);
        return message.toString();
    }

    /**
     * Builds the state sent when {@code contop} opens. {@code provider_auth} maps each configured
     * provider to {@code api_key} or {@code subscription}; it never contains a key.
     */
    static String stateUpdate(ConnectionType sessionType, List<ProviderCredential> credentials) {
        ObjectNode payload = MAPPER.createObjectNode();
        payload.put("ai_state", "idle");
        payload.put("connection_type", sessionType.wireName());
        payload.put("keep_host_awake", false);
        ObjectNode providerAuth = payload.putObject("provider_auth");
        for (ProviderCredential credential : credentials) {
            providerAuth.put(credential.provider().id(), credential.subscription() ? "subscription" : "api_key");
        }
        return envelope(TYPE_STATE_UPDATE, payload);
    }

    static String keepalive() {
        return envelope(TYPE_KEEPALIVE, MAPPER.createObjectNode());
    }
}
