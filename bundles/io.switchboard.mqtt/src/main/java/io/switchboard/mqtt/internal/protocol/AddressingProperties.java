package io.switchboard.mqtt.internal.protocol;

import io.switchboard.api.Message;

/**
 * The MQTT 5 user properties a client sets a message's addressing fields with: {@code sb-app-id} (any
 * text) → {@link Message#appId()}, {@code sb-group-id} → {@link Message#groupId()}, {@code sb-type} →
 * {@link Message#type()}, {@code sb-flags} → {@link Message#flags()} (decimal numbers; a value that is
 * not one leaves the field unset). Names are exact, case included; of repeated names the last one counts.
 * The user properties themselves stay on the message and are forwarded unchanged ([MQTT-3.3.2-17]).
 */
final class AddressingProperties {

    static final String APP_ID = "sb-app-id";
    static final String GROUP_ID = "sb-group-id";
    static final String TYPE = "sb-type";
    static final String FLAGS = "sb-flags";

    private AddressingProperties() {
    }

    /** Sets the field that the user property {@code name=value} names, if it names one. */
    static void apply(Message.Builder b, String name, String value) {
        try {
            switch (name) {
                case APP_ID -> b.appId(value);
                case GROUP_ID -> b.groupId(Long.parseLong(value));
                case TYPE -> b.type(Integer.parseInt(value));
                case FLAGS -> b.flags(Integer.parseInt(value));
                default -> {
                    // any other user property is only forwarded
                }
            }
        } catch (NumberFormatException e) {
            // not a number: the field keeps its default; the property is still forwarded as sent
        }
    }
}
