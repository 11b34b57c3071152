package io.contop.host.config.internal;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Checks configuration values against a component's metatype: numbers must parse and lie within
 * the attribute's minimum and maximum, booleans must be {@code true} or {@code false}, and values
 * with options must be one of them.
 *
 * <p>A missing or empty value is not reported, because many attributes use an empty default to
 * mean "not set" and the component decides what that means.
 */
final class MetatypeCheck {
    private MetatypeCheck() {
    }

    /** Returns one problem per invalid setting, such as {@code refresh.seconds: less than minimum (was "0")}. */
    static List<String> problems(ObjectClassDefinition definition, Map<String, Object> values) {
        List<String> problems = new ArrayList<>();
        AttributeDefinition[] attributes = definition.getAttributeDefinitions(ObjectClassDefinition.ALL);
        if (attributes == null) {
            return problems;
        }
        for (AttributeDefinition attribute : attributes) {
            Object value = values.get(attribute.getID());
            if (value == null) {
                continue;
            }
            for (String element : elements(value)) {
                String problem = validate(attribute, element);
                if (problem != null) {
                    boolean secret = attribute.getType() == AttributeDefinition.PASSWORD
                            || ConfigurationValues.isSecretKey(attribute.getID());
                    problems.add(attribute.getID() + ": " + problem + (secret ? "" : " (was \"" + element + "\")"));
                    break;
                }
            }
        }
        return problems;
    }

    /** Returns a readable problem, or null when the metatype finds the value valid or cannot check it. */
    private static String validate(AttributeDefinition attribute, String value) {
        if (value.isEmpty()) {
            return null;
        }
        String result = attribute.validate(value);
        if (result == null || result.isEmpty()) {
            return null;
        }
        // Felix metatype returns localization keys such as "%less than minimum".
        String problem = result.startsWith("%") ? result.substring(1) : result;
        if (problem.equals("missing required value")) {
            return null;
        }
        if (problem.equals("not a valid option") && attribute.getOptionValues() != null) {
            problem += "; valid: " + String.join(", ", attribute.getOptionValues());
        }
        if (problem.equals("invalid value")) {
            problem += " for a " + typeName(attribute.getType());
        }
        return problem;
    }

    private static List<String> elements(Object value) {
        List<String> elements = new ArrayList<>();
        if (value.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(value); i++) {
                elements.add(String.valueOf(Array.get(value, i)));
            }
        } else if (value instanceof Iterable<?> iterable) {
            iterable.forEach(element -> elements.add(String.valueOf(element)));
        } else {
            elements.add(value.toString());
        }
        return elements;
    }

    private static String typeName(int type) {
        return switch (type) {
            case AttributeDefinition.BOOLEAN -> "boolean (true or false)";
            case AttributeDefinition.INTEGER, AttributeDefinition.LONG, AttributeDefinition.SHORT,
                    AttributeDefinition.BYTE -> "whole number";
            case AttributeDefinition.DOUBLE, AttributeDefinition.FLOAT -> "number";
            case AttributeDefinition.CHARACTER -> "single character";
            default -> "value of this setting";
        };
    }
}
