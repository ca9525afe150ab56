package io.switchboard.mqtt.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.api.Message;
import io.switchboard.api.UserProperty;
import org.junit.jupiter.api.Test;

/** A client sets a message's app id, group id, type and flags with the {@link AddressingProperties} user properties. */
class AddressingPropertiesTest extends LoopbackTest {

    @Test
    void theUserPropertiesSetTheAddressingFieldsAndStayOnTheMessage() {
        Message m = publishWithUserProperties("sb-app-id=chat-app", "sb-group-id=4711", "sb-type=3", "sb-flags=5", "lang=en");

        assertThat(m.appId()).isEqualTo("chat-app");
        assertThat(m.groupId()).isEqualTo(4711L);
        assertThat(m.type()).isEqualTo(3);
        assertThat(m.flags()).isEqualTo(5);
        assertThat(m.userProperties()).extracting(UserProperty::name)
                .containsExactly("sb-app-id", "sb-group-id", "sb-type", "sb-flags", "lang");
    }

    @Test
    void withoutThemTheFieldsKeepTheirDefaults() {
        Message m = publishWithUserProperties("lang=en", "SB-APP-ID=other-case");

        assertThat(m.appId()).isNull();
        assertThat(m.groupId()).isZero();
        assertThat(m.type()).isEqualTo(Message.TYPE_NORMAL);
        assertThat(m.flags()).isZero();
    }

    @Test
    void aValueThatIsNotANumberLeavesItsFieldUnsetAndTheLastOfARepeatedNameCounts() {
        Message m = publishWithUserProperties("sb-group-id=12", "sb-group-id=13", "sb-type=chat", "sb-flags=99999999999");

        assertThat(m.groupId()).isEqualTo(13L);
        assertThat(m.type()).isEqualTo(Message.TYPE_NORMAL);
        assertThat(m.flags()).isZero();
    }

    /** Publishes with user properties given as "name=value" and returns the message the broker got. */
    private Message publishWithUserProperties(String... pairs) {
        publishWithUserPropertiesTo("apps/a", pairs);
        return broker.published.get(0);
    }
}
