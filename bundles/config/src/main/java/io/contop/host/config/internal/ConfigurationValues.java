package io.contop.host.config.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/** Comparisons and descriptions of configuration properties. */
final class ConfigurationValues {
    /** Property that FileInstall adds with the URI of the file a configuration came from. */
    static final String FILE_PROPERTY = "felix.fileinstall.filename";

    /** Properties that Config Admin and FileInstall manage; they are not settings. */
    private static final List<String> MANAGED = List.of("service.pid", "service.factoryPid", "service.bundleLocation",
            FILE_PROPERTY);

    private ConfigurationValues() {
    }

    static Map<String, Object> toMap(Dictionary<String, ?> properties) {
        Map<String, Object> map = new HashMap<>();
        if (properties != null) {
            for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements();) {
                String key = keys.nextElement();
                map.put(key, properties.get(key));
            }
        }
        return map;
    }

    static Dictionary<String, Object> toDictionary(Map<String, Object> map) {
        return new Hashtable<>(map);
    }

    /** Returns true when both maps have the same keys and equal values; arrays are compared by content. */
    static boolean sameValues(Map<String, Object> first, Map<String, Object> second) {
        return first.keySet().equals(second.keySet()) && containsAll(first, second);
    }

    /** Returns true when every property of {@code expected} is in {@code actual} with an equal value. */
    static boolean containsAll(Map<String, ?> actual, Map<String, Object> expected) {
        for (Map.Entry<String, Object> entry : expected.entrySet()) {
            if (!actual.containsKey(entry.getKey()) || !valueEquals(actual.get(entry.getKey()), entry.getValue())) {
                return false;
            }
        }
        return true;
    }

    static boolean valueEquals(Object first, Object second) {
        if (first != null && second != null && first.getClass().isArray() && second.getClass().isArray()) {
            return Arrays.deepEquals(new Object[] {first}, new Object[] {second});
        }
        return Objects.equals(first, second);
    }

    /** Returns the settings whose values differ between the two maps, sorted; managed properties are left out. */
    static List<String> changedKeys(Map<String, Object> before, Map<String, Object> after) {
        TreeSet<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        List<String> changed = new ArrayList<>();
        for (String key : keys) {
            if (!MANAGED.contains(key) && !valueEquals(before.get(key), after.get(key))) {
                changed.add(key);
            }
        }
        return Collections.unmodifiableList(changed);
    }

    /** Escapes the characters that have a meaning in an LDAP filter value. */
    static String escapeFilter(String value) {
        return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("*", "\\*");
    }

    /** Returns the file name a configuration came from, such as {@code io.contop.host.transport.cfg}, or null. */
    static String fileName(Map<String, Object> properties) {
        Object uri = properties.get(FILE_PROPERTY);
        if (uri == null) {
            return null;
        }
        String text = uri.toString();
        return text.substring(text.lastIndexOf('/') + 1);
    }

    /**
     * Returns true for settings whose value must never be logged: password attributes and any key
     * that names a key, secret, token or password.
     */
    static boolean isSecretKey(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return lower.contains("key") || lower.contains("secret") || lower.contains("token")
                || lower.contains("password");
    }
}
