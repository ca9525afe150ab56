package io.switchboard.console.internal;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * A metatype object class definition as the fields of a form: for each attribute its id, label, description, input
 * kind ({@code text}, {@code number}, {@code checkbox}, {@code select}, {@code password}, {@code list}: one value per
 * line), options, whether it is required, and its value now (the configuration's, else the default). A password's
 * value is never sent; the field says whether one is set.
 */
final class ConfigForms {

    private ConfigForms() {
    }

    static List<Map<String, Object>> fields(ObjectClassDefinition ocd, Dictionary<String, ?> current) {
        Set<String> required = new HashSet<>();
        for (AttributeDefinition ad : nonNull(ocd.getAttributeDefinitions(ObjectClassDefinition.REQUIRED))) {
            required.add(ad.getID());
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (AttributeDefinition ad : nonNull(ocd.getAttributeDefinitions(ObjectClassDefinition.ALL))) {
            Object value = current == null ? null : current.get(ad.getID());
            List<String> values = value != null ? strings(value) : ad.getDefaultValue() == null ? List.of()
                    : List.of(ad.getDefaultValue());
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("id", ad.getID());
            f.put("name", ad.getName() == null ? ad.getID() : ad.getName());
            f.put("description", ad.getDescription());
            f.put("type", typeName(ad.getType()));
            f.put("input", input(ad));
            f.put("required", required.contains(ad.getID()));
            f.put("options", options(ad));
            if (ad.getType() == AttributeDefinition.PASSWORD) {
                f.put("set", value != null && !values.isEmpty() && !values.get(0).isEmpty());
                f.put("value", ad.getCardinality() == 0 ? "" : List.of());
            } else {
                f.put("value", ad.getCardinality() == 0 ? (values.isEmpty() ? "" : values.get(0)) : values);
            }
            out.add(f);
        }
        return out;
    }

    static String input(AttributeDefinition ad) {
        if (ad.getCardinality() != 0) {
            return "list";
        }
        if (ad.getOptionValues() != null && ad.getOptionValues().length > 0) {
            return "select";
        }
        return switch (ad.getType()) {
            case AttributeDefinition.BOOLEAN -> "checkbox";
            case AttributeDefinition.PASSWORD -> "password";
            case AttributeDefinition.LONG, AttributeDefinition.INTEGER, AttributeDefinition.SHORT, AttributeDefinition.BYTE,
                    AttributeDefinition.DOUBLE, AttributeDefinition.FLOAT -> "number";
            default -> "text";
        };
    }

    static String typeName(int type) {
        return switch (type) {
            case AttributeDefinition.LONG -> "long";
            case AttributeDefinition.INTEGER -> "integer";
            case AttributeDefinition.SHORT -> "short";
            case AttributeDefinition.CHARACTER -> "char";
            case AttributeDefinition.BYTE -> "byte";
            case AttributeDefinition.DOUBLE -> "double";
            case AttributeDefinition.FLOAT -> "float";
            case AttributeDefinition.BOOLEAN -> "boolean";
            case AttributeDefinition.PASSWORD -> "password";
            default -> "string";
        };
    }

    private static List<Map<String, String>> options(AttributeDefinition ad) {
        String[] values = ad.getOptionValues();
        String[] labels = ad.getOptionLabels();
        List<Map<String, String>> out = new ArrayList<>();
        for (int i = 0; values != null && i < values.length; i++) {
            String label = labels != null && i < labels.length ? labels[i] : null;
            out.add(Map.of("value", values[i], "label", label == null || label.isBlank() ? values[i] : label));
        }
        return out;
    }

    /** A configuration value (scalar, array or collection) as strings. */
    static List<String> strings(Object value) {
        List<String> out = new ArrayList<>();
        if (value.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(value); i++) {
                out.add(String.valueOf(Array.get(value, i)));
            }
        } else if (value instanceof Collection<?> c) {
            c.forEach(v -> out.add(String.valueOf(v)));
        } else {
            out.add(String.valueOf(value));
        }
        return out;
    }

    private static AttributeDefinition[] nonNull(AttributeDefinition[] ads) {
        return ads == null ? new AttributeDefinition[0] : ads;
    }
}
