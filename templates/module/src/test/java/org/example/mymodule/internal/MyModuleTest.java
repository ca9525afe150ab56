package org.example.mymodule.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.switchboard.api.Message;
import io.switchboard.testkit.FakeHost;
import io.switchboard.testkit.FakeSession;
import io.switchboard.testkit.ModuleInstance;
import io.switchboard.testkit.ModuleProbe;
import io.switchboard.testkit.TestMessages;

/** Unit tests with the Switchboard test kit: no framework, no broker. */
class MyModuleTest {

    private final FakeHost host = new FakeHost("org.example.mymodule");
    /** The module driven as DS drives it: component properties and configuration built from a Map. */
    private final ModuleInstance<MyModule, MyModuleConfig> instance = newInstance();

    private ModuleInstance<MyModule, MyModuleConfig> newInstance() {
        MyModule module = new MyModule();
        module.host = host;
        return ModuleInstance.builder(module, MyModuleConfig.class).pid(MyModule.PID).host(host)
                .onActivate((m, call) -> m.activate(call.properties(), call.config()))
                .onModified((m, call) -> m.modified(call.properties(), call.config()))
                .build();
    }

    @AfterEach
    void close() {
        host.close();
    }

    private ModuleProbe activated(Map<String, ?> configuration) {
        return instance.activate(configuration).probe();
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
        instance.modify(Map.of("tag.name", ""));

        assertEquals("mymodule: configuration rejected, keeping the last good one: tag.name: must not be blank",
                host.lastProblem());
        probe.publish(TestMessages.text("t", "x")).assertReplaced(m -> assertEquals("mymodule", m.userProperty("tagged-by")));
    }

    @Test
    void aChangeWithARankingThatIsNotAnIntegerIsRejectedWhole() {
        ModuleProbe probe = activated(Map.of());

        instance.modify(Map.of("tag.name", "via", "service.ranking", "abc"));

        assertEquals("mymodule: configuration rejected, keeping the last good one: service.ranking: 'abc' is not an integer",
                host.lastProblem());
        probe.publish(TestMessages.text("t", "x")).assertReplaced(m -> assertEquals("mymodule", m.userProperty("tagged-by")));
    }
}
