package io.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.Session;
import io.switchboard.api.Verdict;

class ModuleInstanceTest {

    @interface TagConfig {
        String tag_name() default "via";

        int limit() default 3;
    }

    /** The shape of Felix SCR's ExtComponentContext, which the kit must serve without depending on Felix. */
    interface PublishingContext {
        Dictionary<String, Object> getProperties();

        void setServiceProperties(Dictionary<String, ?> properties);

        Object locateService(String name);
    }

    /** Tags messages; publishes its tag as a service property when given a context. */
    static final class TagModule implements MessageModule {
        Map<String, Object> properties;
        TagConfig config;
        String tag;

        void activate(Map<String, Object> properties, TagConfig config) {
            if (config.tag_name().isEmpty()) {
                throw new IllegalArgumentException("tag.name: must not be empty");
            }
            this.properties = properties;
            this.config = config;
            this.tag = config.tag_name();
        }

        void activate(PublishingContext context, Map<String, Object> properties, TagConfig config) {
            activate(properties, config);
            Hashtable<String, Object> published = new Hashtable<>(properties);
            published.put("tag", tag);
            context.setServiceProperties(published);
        }

        @Override
        public Verdict onMessage(Message message, Session sender) {
            return Verdict.replace(message.toBuilder().userProperty(tag, "yes").build());
        }
    }

    private final FakeHost host = new FakeHost("org.example.tag");
    private final TagModule module = new TagModule();

    @AfterEach
    void close() {
        host.close();
    }

    private ModuleInstance.Builder<TagModule, TagConfig> builder() {
        return ModuleInstance.builder(module, TagConfig.class).pid("org.example.tag").host(host)
                .onActivate((m, call) -> m.activate(call.properties(), call.config()))
                .onModified((m, call) -> m.activate(call.properties(), call.config()));
    }

    @Test
    void passesThePropertiesDsComputesAndTheConfigurationOverThem() {
        ModuleInstance<TagModule, TagConfig> instance = builder().componentProperty("switchboard.module.type", "FILTER")
                .componentProperty("limit", 5).build().activate(Map.of("limit", "7", "extra", "x"));

        assertThat(module.properties).containsEntry("tag.name", "via").containsEntry("limit", "7")
                .containsEntry("extra", "x").containsEntry("switchboard.module.type", "FILTER")
                .containsEntry("component.name", "org.example.tag").containsEntry("service.pid", "org.example.tag")
                .doesNotContainKey("service.factoryPid").containsKey("component.id");
        assertThat(module.config.limit()).isEqualTo(7);
        assertThat(instance.properties()).isEqualTo(module.properties);
        assertThatThrownBy(() -> module.properties.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aFactoryConfigurationHasItsOwnPidAndEachInstanceItsOwnComponentId() {
        ModuleInstance<TagModule, TagConfig> first = builder().factoryConfiguration("chat").build().activate(Map.of());
        ModuleInstance<TagModule, TagConfig> second = builder().build().activate(Map.of());

        assertThat(first.properties()).containsEntry("service.pid", "org.example.tag~chat")
                .containsEntry("service.factoryPid", "org.example.tag");
        assertThat(first.properties().get("component.id")).isNotEqualTo(second.properties().get("component.id"));
    }

    @Test
    void theProbeDrivesTheModuleOnTheHost() {
        ModuleInstance<TagModule, TagConfig> instance = builder().build().activate(Map.of("tag.name", "seen-by"));

        assertThat(instance.module()).isSameAs(module);
        assertThat(instance.host()).isSameAs(host);
        instance.probe().publish(TestMessages.text("t", "x")).assertReplaced(m -> assertThat(m.userProperty("seen-by")).isEqualTo("yes"));
    }

    @Test
    void whatTheLifecycleMethodThrowsReachesTheTest() {
        ModuleInstance<TagModule, TagConfig> instance = builder().build().activate(Map.of());

        assertThatIllegalArgumentException().isThrownBy(() -> instance.modify(Map.of("tag.name", "")))
                .withMessage("tag.name: must not be empty");
        assertThat(module.tag).isEqualTo("via");
    }

    @Test
    void modifyNeedsAModifiedMethod() {
        ModuleInstance<TagModule, TagConfig> instance = ModuleInstance.builder(module, TagConfig.class).pid("p").host(host)
                .onActivate((m, call) -> m.activate(call.properties(), call.config())).build().activate(Map.of());

        assertThatIllegalStateException().isThrownBy(() -> instance.modify(Map.of())).withMessageContaining("onModified");
    }

    @Test
    void theComponentContextAnswersThePropertiesAndRecordsPublishedServiceProperties() {
        ModuleInstance<TagModule, TagConfig> instance = builder()
                .onActivate((m, call) -> {
                    PublishingContext context = call.componentContext(PublishingContext.class);
                    assertThat(context.getProperties().get("service.pid")).isEqualTo("org.example.tag");
                    assertThatThrownBy(() -> context.locateService("host")).isInstanceOf(UnsupportedOperationException.class)
                            .hasMessageContaining("locateService");
                    m.activate(context, call.properties(), call.config());
                })
                .build();

        assertThatThrownBy(instance::lastPublishedProperties).hasMessage("the module published no service properties");
        instance.activate(Map.of("tag.name", "one"));
        instance.activate(Map.of("tag.name", "two"));

        assertThat(instance.publishedProperties()).extracting(p -> p.get("tag")).containsExactly("one", "two");
        assertThat(instance.lastPublishedProperties()).containsEntry("tag", "two").containsEntry("limit", 3);
    }

    @Test
    void aContextTypeMustBeAnInterface() {
        ModuleInstance<TagModule, TagConfig> instance = builder()
                .onActivate((m, call) -> call.componentContext(Object.class)).build();

        assertThatIllegalArgumentException().isThrownBy(() -> instance.activate(Map.of())).withMessageContaining("not an interface");
    }

    @Test
    void thePidHostAndActivateMethodAreRequired() {
        assertThatThrownBy(() -> ModuleInstance.builder(module, TagConfig.class).host(host)
                .onActivate((m, call) -> { }).build()).hasMessageContaining("pid");
        assertThatThrownBy(() -> ModuleInstance.builder(module, TagConfig.class).pid("p")
                .onActivate((m, call) -> { }).build()).hasMessageContaining("host");
        assertThatThrownBy(() -> ModuleInstance.builder(module, TagConfig.class).pid("p").host(host).build())
                .hasMessageContaining("onActivate");
    }
}
