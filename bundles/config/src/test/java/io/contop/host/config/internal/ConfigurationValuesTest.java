package io.contop.host.config.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigurationValuesTest {

    @Test
    void arraysCompareByContent() {
        assertTrue(ConfigurationValues.valueEquals(new String[] {"a", "b"}, new String[] {"a", "b"}));
        assertFalse(ConfigurationValues.valueEquals(new String[] {"a"}, new String[] {"b"}));
        assertTrue(ConfigurationValues.valueEquals(new int[] {1}, new int[] {1}));
    }

    @Test
    void containsAllIgnoresExtraActualProperties() {
        Map<String, Object> actual = Map.of("port", "9000", "component.name", "x");

        assertTrue(ConfigurationValues.containsAll(actual, Map.of("port", "9000")));
        assertFalse(ConfigurationValues.containsAll(actual, Map.of("port", "9001")));
        assertFalse(ConfigurationValues.containsAll(actual, Map.of("host", "")));
    }

    @Test
    void changedKeysLeaveOutManagedProperties() {
        Map<String, Object> before = Map.of("port", "9000", "host", "", "service.pid", "p",
                ConfigurationValues.FILE_PROPERTY, "file:/a.cfg");
        Map<String, Object> after = Map.of("port", "9001", "request.log", "true", "service.pid", "p",
                ConfigurationValues.FILE_PROPERTY, "file:/b.cfg");

        assertEquals(List.of("host", "port", "request.log"), ConfigurationValues.changedKeys(before, after));
    }

    @Test
    void fileNameIsLastPathSegment() {
        assertEquals("io.contop.host.transport.cfg", ConfigurationValues.fileName(Map.of(
                ConfigurationValues.FILE_PROPERTY, "file:/opt/contop-host/config/io.contop.host.transport.cfg")));
        assertNull(ConfigurationValues.fileName(Map.of()));
    }

    @Test
    void secretKeysAreRecognised() {
        assertTrue(ConfigurationValues.isSecretKey("api.key"));
        assertTrue(ConfigurationValues.isSecretKey("auth.token"));
        assertFalse(ConfigurationValues.isSecretKey("port"));
    }
}
