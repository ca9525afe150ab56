package io.switchboard.testkit;

import io.switchboard.api.Message;

/**
 * A message a module sent through {@link FakeHost#send}.
 *
 * @param id the id {@code send} returned
 * @param message the message as sent, with that id (and, like the broker, the sending bundle's name
 *        as {@code from} when the module left it unset)
 * @param thread the name of the thread that sent it
 */
public record SentMessage(long id, Message message, String thread) {

    /** The topic it was sent to. */
    public String topic() {
        return message.topic();
    }

    /** Its payload as UTF-8 text. */
    public String text() {
        return message.payloadText();
    }

    /** Who it was sent as. */
    public String from() {
        return message.from();
    }
}
