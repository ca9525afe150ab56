package io.switchboard.console.internal;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * A submitted form as configuration properties of the types the metatype declares: each value as text (a list of
 * texts for a multi-valued attribute), converted to the attribute's type, checked by its {@link
 * AttributeDefinition#validate}; an empty optional value removes the property (its default applies), an empty
 * password keeps the one set. Properties the form does not describe (e.g. FileInstall's file name) are kept.
 */
final class ConfigValues {

    private ConfigValues() {
    }

    /**
     * The properties to store: {@code current}'s, with the form's attributes replaced by {@code submitted}'s values.
     *
     * @throws IllegalArgumentException naming the attribute, when a value does not fit it
     */
    static Dictionary<String, Object> merge(ObjectClassDefinition ocd, Dictionary<String, ?> current,
            Map<String, Object> submitted) {
        Hashtable<String, Object> out = new Hashtable<>();
        if (current != null) {
            for (var keys = current.keys(); keys.hasMoreElements();) {
                String key = keys.nextElement();
                out.put(key, current.get(key));
            }
        }
        AttributeDefinition[] ads = ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
        List<String> required = new ArrayList<>();
        for (AttributeDefinition ad : nullSafe(ocd.getAttributeDefinitions(ObjectClassDefinition.REQUIRED))) {
            required.add(ad.getID());
        }
        for (AttributeDefinition ad : nullSafe(ads)) {
            if (!submitted.containsKey(ad.getID())) {
                continue;
            }
            List<String> texts = texts(submitted.get(ad.getID()));
            if (texts.isEmpty()) {
                if (ad.getType() == AttributeDefinition.PASSWORD && out.containsKey(ad.getID())) {
                    continue; // not changed
                }
                if (required.contains(ad.getID()) && ad.getDefaultValue() == null) {
                    throw new IllegalArgumentException(label(ad) + ": a value is required");
                }
                out.remove(ad.getID());
                continue;
            }
            out.put(ad.getID(), convert(ad, texts));
        }
        return out;
    }

    /** Text values: a string (one value; trimmed, empty is none) or a list of them (empty entries dropped). */
    static List<String> texts(Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object o : list) {
                if (o != null && !String.valueOf(o).trim().isEmpty()) {
                    out.add(String.valueOf(o).trim());
                }
            }
        } else if (value != null && !String.valueOf(value).trim().isEmpty()) {
            out.add(String.valueOf(value).trim());
        }
        return out;
    }

    static Object convert(AttributeDefinition ad, List<String> texts) {
        if (ad.getCardinality() == 0 && texts.size() > 1) {
            throw new IllegalArgumentException(label(ad) + ": takes one value");
        }
        int max = Math.abs(ad.getCardinality());
        if (ad.getCardinality() != 0 && max != Integer.MAX_VALUE && texts.size() > max) {
            throw new IllegalArgumentException(label(ad) + ": takes at most " + max + " values");
        }
        Class<?> type = javaType(ad.getType());
        List<Object> values = new ArrayList<>();
        for (String text : texts) {
            values.add(one(ad, type, text));
        }
        if (ad.getCardinality() == 0) {
            return values.get(0);
        }
        if (ad.getCardinality() < 0) {
            return values;
        }
        Object array = Array.newInstance(type, values.size());
        for (int i = 0; i < values.size(); i++) {
            Array.set(array, i, values.get(i));
        }
        return array;
    }

    private static Object one(AttributeDefinition ad, Class<?> type, String text) {
        Object value;
        try {
            value = parser(ad.getType()).apply(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(label(ad) + ": '" + text + "' is not of type " + ConfigForms.typeName(ad.getType()));
        }
        String problem = ad.validate(text);
        if (problem != null && !problem.isEmpty()) {
            throw new IllegalArgumentException(label(ad) + ": " + problem);
        }
        return type.cast(value);
    }

    private static Function<String, Object> parser(int type) {
        return switch (type) {
            case AttributeDefinition.LONG -> Long::valueOf;
            case AttributeDefinition.INTEGER -> Integer::valueOf;
            case AttributeDefinition.SHORT -> Short::valueOf;
            case AttributeDefinition.BYTE -> Byte::valueOf;
            case AttributeDefinition.DOUBLE -> Double::valueOf;
            case AttributeDefinition.FLOAT -> Float::valueOf;
            case AttributeDefinition.CHARACTER -> ConfigValues::character;
            case AttributeDefinition.BOOLEAN -> ConfigValues::bool;
            default -> s -> s;
        };
    }

    private static Class<?> javaType(int type) {
        return switch (type) {
            case AttributeDefinition.LONG -> Long.class;
            case AttributeDefinition.INTEGER -> Integer.class;
            case AttributeDefinition.SHORT -> Short.class;
            case AttributeDefinition.BYTE -> Byte.class;
            case AttributeDefinition.DOUBLE -> Double.class;
            case AttributeDefinition.FLOAT -> Float.class;
            case AttributeDefinition.CHARACTER -> Character.class;
            case AttributeDefinition.BOOLEAN -> Boolean.class;
            default -> String.class;
        };
    }

    private static Character character(String s) {
        if (s.length() != 1) {
            throw new IllegalArgumentException("one character");
        }
        return s.charAt(0);
    }

    private static Boolean bool(String s) {
        if (!s.equalsIgnoreCase("true") && !s.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("true or false");
        }
        return Boolean.valueOf(s);
    }

    private static String label(AttributeDefinition ad) {
        return ad.getName() == null ? ad.getID() : ad.getName() + " (" + ad.getID() + ")";
    }

    private static AttributeDefinition[] nullSafe(AttributeDefinition[] ads) {
        return ads == null ? new AttributeDefinition[0] : ads;
    }
}
