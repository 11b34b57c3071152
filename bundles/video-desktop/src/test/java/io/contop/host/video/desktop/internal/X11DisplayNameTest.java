package io.contop.host.video.desktop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class X11DisplayNameTest {

    @Test
    void localNamesParse() {
        X11DisplayName plain = X11DisplayName.parse(":0").orElseThrow();
        assertEquals(new X11DisplayName("", 0, 0), plain);
        assertTrue(plain.isLocal());
        assertEquals(Path.of("/tmp/.X11-unix/X0"), plain.socketPath());

        X11DisplayName withScreen = X11DisplayName.parse(":12.1").orElseThrow();
        assertEquals(12, withScreen.display());
        assertEquals(1, withScreen.screen());
        assertEquals(":12.1", withScreen.toString());

        assertTrue(X11DisplayName.parse("unix:3").orElseThrow().isLocal());
    }

    @Test
    void remoteNamesAreNotLocal() {
        X11DisplayName forwarded = X11DisplayName.parse("localhost:10.0").orElseThrow();
        assertEquals("localhost", forwarded.host());
        assertFalse(forwarded.isLocal());
    }

    @Test
    void malformedNamesAreEmpty() {
        for (String value : new String[] {"", "0", ":", ":x", "host", ":1.", ":1.2.3"}) {
            assertTrue(X11DisplayName.parse(value).isEmpty(), value);
        }
        assertTrue(X11DisplayName.parse(null).isEmpty());
    }
}
