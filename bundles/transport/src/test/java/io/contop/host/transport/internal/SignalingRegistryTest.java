package io.contop.host.transport.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which signaling socket keeps a token when two open for it. Sockets here have no WebSocket session. */
class SignalingRegistryTest {

    @Test
    void newerSocketTakesOver() {
        SignalingRegistry registry = new SignalingRegistry();
        SignalingSocket older = socket(registry);
        SignalingSocket newer = socket(registry);

        assertTrue(registry.register("token", older));
        assertTrue(registry.register("token", newer));

        assertTrue(registry.isCurrent("token", newer));
        assertFalse(registry.isCurrent("token", older));
    }

    @Test
    void olderSocketOpeningLateLoses() {
        SignalingRegistry registry = new SignalingRegistry();
        SignalingSocket older = socket(registry);
        SignalingSocket newer = socket(registry);

        assertTrue(registry.register("token", newer));
        assertFalse(registry.register("token", older), "a socket upgraded earlier must not take over");

        assertTrue(registry.isCurrent("token", newer));
        assertFalse(registry.isCurrent("token", older));
    }

    @Test
    void unregisterKeepsOtherSocket() {
        SignalingRegistry registry = new SignalingRegistry();
        SignalingSocket older = socket(registry);
        SignalingSocket newer = socket(registry);
        registry.register("token", newer);

        registry.unregister("token", older);

        assertTrue(registry.isCurrent("token", newer));
    }

    /** Creates a socket as an upgrade does; its upgrade number orders it after every earlier one. */
    private static SignalingSocket socket(SignalingRegistry registry) {
        return new SignalingSocket(null, registry, null, "127.0.0.1", false, null);
    }
}
