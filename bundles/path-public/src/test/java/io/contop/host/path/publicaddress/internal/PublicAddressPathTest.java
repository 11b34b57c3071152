package io.contop.host.path.publicaddress.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PublicAddressPathTest {

    @Test
    void configuredAddressWins() {
        PublicAddressPath path = new PublicAddressPath(config(" home.example.test:8443 "), "other.example.test");

        assertEquals(Optional.of("home.example.test:8443"), path.currentAddress());
        assertEquals("pf", path.qrKey());
        assertEquals("public", path.id());
    }

    @Test
    void environmentIsFallback() {
        assertEquals(Optional.of("203.0.113.7:8000"),
                new PublicAddressPath(config(""), "203.0.113.7:8000").currentAddress());
    }

    @Test
    void nothingSetMeansNoAddress() {
        assertEquals(Optional.empty(), new PublicAddressPath(config(""), null).currentAddress());
        assertEquals(Optional.empty(), new PublicAddressPath(config("  "), " ").currentAddress());
    }

    @Test
    void invalidAddressIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new PublicAddressPath(config("http://x.test/"), null));
        assertThrows(IllegalArgumentException.class, () -> new PublicAddressPath(config(""), "a b"));
    }

    @Test
    void addressFormats() {
        assertTrue(PublicAddressPath.isValid("example.test"));
        assertTrue(PublicAddressPath.isValid("example.test:65535"));
        assertTrue(PublicAddressPath.isValid("198.51.100.4"));
        assertTrue(PublicAddressPath.isValid("[2001:db8::1]:8000"));
        assertFalse(PublicAddressPath.isValid("example.test:0"));
        assertFalse(PublicAddressPath.isValid("example.test:65536"));
        assertFalse(PublicAddressPath.isValid("-bad.example.test"));
        assertFalse(PublicAddressPath.isValid("example.test:80/path"));
        assertFalse(PublicAddressPath.isValid("2001:db8::1"));
        assertFalse(PublicAddressPath.isValid("x".repeat(300)));
    }

    private static PublicAddressPath.Config config(String address) {
        return new PublicAddressPath.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return PublicAddressPath.Config.class;
            }

            @Override
            public String address() {
                return address;
            }
        };
    }
}
