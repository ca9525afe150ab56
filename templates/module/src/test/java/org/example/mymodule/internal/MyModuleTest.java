package org.example.mymodule.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.switchboard.api.Message;
import io.switchboard.testkit.Configs;
import io.switchboard.testkit.FakeHost;
import io.switchboard.testkit.FakeSession;
import io.switchboard.testkit.ModuleProbe;
import io.switchboard.testkit.TestMessages;

/** Unit tests with the Switchboard test kit: no framework, no broker. */
class MyModuleTest {

    private final FakeHost host = new FakeHost("org.example.mymodule");
    private final MyModule module = new MyModule();

    @AfterEach
    void close() {
        host.close();
    }

    private ModuleProbe activated(Map<String, ?> configuration) {
        module.host = host;
        module.activate(properties(configuration), Configs.of(MyModuleConfig.class, configuration));
        return ModuleProbe.of(module).with(host);
    }

    private void modify(Map<String, ?> configuration) {
        module.modified(properties(configuration), Configs.of(MyModuleConfig.class, configuration));
    }

    /** The component properties DS passes beside the configuration annotation. */
    private static Map<String, Object> properties(Map<String, ?> configuration) {
        return Configs.properties(MyModuleConfig.class, configuration);
    }

    @Test
    void tagsEveryMessage() {
        ModuleProbe probe = activated(Map.of("tag.name", "via", "tag.value", "test"));
        Message hello = TestMessages.text("alice", "chat/room", "hello");

        Message tagged = probe.message(hello).from(FakeSession.of("alice")).assertReplaced();

        assertEquals("test", tagged.userProperty("via"));
        assertEquals("hello", tagged.payloadText());
    }

    @Test
    void aBlankTagNameIsRefusedAndABadChangeKeepsTheLastGoodOne() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> activated(Map.of("tag.name", " ")));
        assertEquals("mymodule: invalid configuration: tag.name: must not be blank", refused.getMessage());

        ModuleProbe probe = activated(Map.of());
        modify(Map.of("tag.name", ""));

        assertEquals("mymodule: configuration rejected, keeping the last good one: tag.name: must not be blank",
                host.lastProblem());
        probe.publish(TestMessages.text("t", "x")).assertReplaced(m -> assertEquals("mymodule", m.userProperty("tagged-by")));
    }

    @Test
    void aChangeWithARankingThatIsNotAnIntegerIsRejectedWhole() {
        ModuleProbe probe = activated(Map.of());

        modify(Map.of("tag.name", "via", "service.ranking", "abc"));

        assertEquals("mymodule: configuration rejected, keeping the last good one: service.ranking: 'abc' is not an integer",
                host.lastProblem());
        probe.publish(TestMessages.text("t", "x")).assertReplaced(m -> assertEquals("mymodule", m.userProperty("tagged-by")));
    }
}
