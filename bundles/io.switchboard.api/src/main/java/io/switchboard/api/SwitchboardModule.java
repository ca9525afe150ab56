package io.switchboard.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Describes a module on its DS component, as a component property type: the members become the
 * {@link ModuleProperties} service properties.
 *
 * <pre>{@code
 * @Component(service = MessageModule.class)
 * @SwitchboardModule(name = "profanity", type = ModuleType.FILTER, maturity = Maturity.GA)
 * public class ProfanityModule implements MessageModule { ... }
 * }</pre>
 */
@ComponentPropertyType
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface SwitchboardModule {

    /** Prefix mapping the members to {@link ModuleProperties} names. */
    String PREFIX_ = ModuleProperties.PREFIX;

    /** {@link ModuleProperties#NAME}. */
    String name();

    /** {@link ModuleProperties#TYPE}. */
    ModuleType type() default ModuleType.FILTER;

    /** {@link ModuleProperties#MATURITY}. */
    Maturity maturity() default Maturity.IN_DEVELOPMENT;

    /** {@link ModuleProperties#DESCRIPTION}. */
    String description() default "";

    /** {@link ModuleProperties#TIMEOUT} in milliseconds. */
    long timeout() default ModuleProperties.DEFAULT_TIMEOUT_MILLIS;

    /** {@link ModuleProperties#FAILURE_POLICY} (the underscore maps to the property's dot). */
    FailurePolicy failure_policy() default FailurePolicy.FAIL_OPEN;

    /** {@link ModuleProperties#TOPICS}; empty for all topics. */
    String[] topics() default {};

    /**
     * {@link ModuleProperties#NON_BLOCKING}: the module's decisions never block.
     *
     * @since 1.1
     */
    boolean nonblocking() default false;
}
