package io.contop.host.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LocalRequestGuardTest {

    @Test
    void hostOfAuthorityDropsPort() {
        assertEquals("127.0.0.1", LocalRequestGuard.hostOfAuthority("127.0.0.1:8000"));
        assertEquals("[::1]", LocalRequestGuard.hostOfAuthority("[::1]:8000"));
        assertEquals("localhost", LocalRequestGuard.hostOfAuthority("localhost"));
    }

    @Test
    void loopbackHostsAreLocal() {
        for (String host : new String[] {"localhost", "LOCALHOST", "localhost.", "console.localhost", "127.0.0.1",
            "127.1.2.3", "[::1]", "::1"}) {
            assertTrue(LocalRequestGuard.isLoopbackHost(host), host);
        }
    }

    @Test
    void otherHostsAreNotLocal() {
        for (String host : new String[] {"rebinding.example", "localhost.example", "192.0.2.2", "10.0.0.1",
            "[fe80::1]", "0.0.0.0", ""}) {
            assertFalse(LocalRequestGuard.isLoopbackHost(host), host);
        }
    }

    @Test
    void originsOfThisMachineAreLocal() {
        assertTrue(LocalRequestGuard.isLocalOrigin("http://127.0.0.1:8000"));
        assertTrue(LocalRequestGuard.isLocalOrigin("http://localhost:5173"));
        assertTrue(LocalRequestGuard.isLocalOrigin("https://[::1]"));
        assertTrue(LocalRequestGuard.isLocalOrigin("file://"));
    }

    @Test
    void originsOfOtherSitesAreNotLocal() {
        assertFalse(LocalRequestGuard.isLocalOrigin("https://attacker.example"));
        assertFalse(LocalRequestGuard.isLocalOrigin("http://192.0.2.2:8000"));
        assertFalse(LocalRequestGuard.isLocalOrigin("null"));
        assertFalse(LocalRequestGuard.isLocalOrigin("not a uri"));
    }
}
