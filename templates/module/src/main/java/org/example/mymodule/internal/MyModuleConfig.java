package org.example.mymodule.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration (PID {@value MyModule#PID}; file {@code configadmin/org.example.mymodule.cfg}).
 * A member {@code tag_name} is the property {@code tag.name}.
 */
@ObjectClassDefinition(name = "mymodule", description = "Tags every message with a user property.")
@interface MyModuleConfig {

    @AttributeDefinition(name = "Tag name", description = "The user property added to each message; not blank.")
    String tag_name() default "tagged-by";

    @AttributeDefinition(name = "Tag value", description = "Its value.")
    String tag_value() default "mymodule";

    @AttributeDefinition(name = "Ranking", description = "Place in the module chain: higher runs earlier.")
    int service_ranking() default 0;

    @AttributeDefinition(name = "Topics", description = "MQTT topic filters (comma-separated); empty for all.",
            required = false)
    String[] switchboard_module_topics() default {};
}
