package io.switchboard.console.internal;

import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/** Metatype definitions made in tests. */
final class FakeMetatype {

    private FakeMetatype() {
    }

    /** An attribute; {@code validate} refuses the texts in {@code refused}. */
    record Ad(String id, String name, int type, int cardinality, String[] defaults, String[] optionValues,
            String[] optionLabels, boolean required, List<String> refused) implements AttributeDefinition {

        static Ad of(String id, int type, String... defaults) {
            return new Ad(id, id.toUpperCase(), type, 0, defaults.length == 0 ? null : defaults, null, null, true, List.of());
        }

        Ad cardinality(int n) {
            return new Ad(id, name, type, n, defaults, optionValues, optionLabels, required, refused);
        }

        Ad options(String... valuesAndLabels) {
            String[] values = new String[valuesAndLabels.length / 2];
            String[] labels = new String[valuesAndLabels.length / 2];
            for (int i = 0; i < values.length; i++) {
                values[i] = valuesAndLabels[2 * i];
                labels[i] = valuesAndLabels[2 * i + 1];
            }
            return new Ad(id, name, type, cardinality, defaults, values, labels, required, refused);
        }

        Ad optional() {
            return new Ad(id, name, type, cardinality, defaults, optionValues, optionLabels, false, refused);
        }

        Ad refusing(String... texts) {
            return new Ad(id, name, type, cardinality, defaults, optionValues, optionLabels, required, Arrays.asList(texts));
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public String getID() {
            return id;
        }

        @Override
        public String getDescription() {
            return "about " + id;
        }

        @Override
        public int getCardinality() {
            return cardinality;
        }

        @Override
        public int getType() {
            return type;
        }

        @Override
        public String[] getOptionValues() {
            return optionValues;
        }

        @Override
        public String[] getOptionLabels() {
            return optionLabels;
        }

        @Override
        public String validate(String value) {
            return refused.contains(value) ? "'" + value + "' is not allowed" : "";
        }

        @Override
        public String[] getDefaultValue() {
            return defaults;
        }
    }

    record Ocd(String name, List<Ad> ads) implements ObjectClassDefinition {

        static Ocd of(Ad... ads) {
            return new Ocd("Test", List.of(ads));
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public String getID() {
            return "test.pid";
        }

        @Override
        public String getDescription() {
            return "a test";
        }

        @Override
        public AttributeDefinition[] getAttributeDefinitions(int filter) {
            return ads.stream().filter(a -> filter == ALL || (filter == REQUIRED) == a.required())
                    .toArray(AttributeDefinition[]::new);
        }

        @Override
        public InputStream getIcon(int size) {
            return null;
        }
    }
}
