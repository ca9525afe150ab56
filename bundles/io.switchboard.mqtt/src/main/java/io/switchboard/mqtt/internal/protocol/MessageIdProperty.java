package io.switchboard.mqtt.internal.protocol;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.switchboard.api.Message;
import io.switchboard.api.UserProperty;

/**
 * The user properties of the messages delivered to one MQTT 5 connection. They are the message's, exactly
 * as published, in order ([MQTT-3.3.2-17], [MQTT-3.3.2-18]), unless the client asked for the broker's
 * message id (what a read receipt to {@code $read/<id>} names, see {@link ReadReceipts}) with the CONNECT
 * user property {@code <message.id.property>=request}, by default {@code sb-message-id=request}: name and
 * value exactly so, case included. Then every message with a broker id carries it, in decimal, as the last
 * user property of that name. On such a connection the name carries the broker's id only: a publisher's
 * user properties of that name are left out, so a receipt never names an id a publisher made up. An empty
 * {@code message.id.property} switches the feature off: nobody can ask.
 */
final class MessageIdProperty {

    /** The value of the CONNECT user property that asks for the message id. */
    static final String REQUEST = "request";
    /** A connection that did not ask (or could not: the feature is off, or the client speaks MQTT 3.1.1). */
    static final MessageIdProperty NOT_REQUESTED = new MessageIdProperty(null);

    /** The user property's name, null when not requested. */
    private final String name;

    private MessageIdProperty(String name) {
        this.name = name;
    }

    /** What a CONNECT with {@code connectProperties} asks for, {@code configuredName} being {@code message.id.property}. */
    static MessageIdProperty requestedIn(MqttProperties connectProperties, String configuredName) {
        if (configuredName.isEmpty() || connectProperties == null) {
            return NOT_REQUESTED;
        }
        for (MqttProperties.MqttProperty<?> property : connectProperties.getProperties(MqttProperties.USER_PROPERTY)) {
            for (MqttProperties.StringPair pair : MessageProperties.pairs(property)) {
                if (configuredName.equals(pair.key) && REQUEST.equals(pair.value)) {
                    return new MessageIdProperty(configuredName);
                }
            }
        }
        return NOT_REQUESTED;
    }

    /** The user property's name when the connection asked for the id, else null. */
    String name() {
        return name;
    }

    /** Whether {@code m} is delivered with the id on this connection (a message the broker gave no id has none). */
    boolean carriedBy(Message m) {
        return name != null && m.id() != 0;
    }

    /**
     * The user properties to deliver {@code m} with, the id last when {@code withId} (see
     * {@link #carriedBy}); null when there are none.
     */
    MqttProperties.UserProperties userPropertiesOf(Message m, boolean withId) {
        if (m.userProperties().isEmpty() && !withId) {
            return null;
        }
        MqttProperties.UserProperties user = new MqttProperties.UserProperties();
        for (UserProperty u : m.userProperties()) {
            if (name == null || !name.equals(u.name())) {
                user.add(u.name(), u.value());
            }
        }
        if (withId) {
            user.add(name, Long.toString(m.id()));
        }
        return user.value().isEmpty() ? null : user;
    }
}
