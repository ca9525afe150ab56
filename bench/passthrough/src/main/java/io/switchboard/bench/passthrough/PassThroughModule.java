package io.switchboard.bench.passthrough;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

import io.switchboard.api.Maturity;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleType;
import io.switchboard.api.Session;
import io.switchboard.api.SwitchboardModule;
import io.switchboard.api.Verdict;

/**
 * Passes every message and every delivery unchanged. The benchmark deploys three instances to measure
 * what the module chain itself costs.
 *
 * <p>It overrides {@link #onMessage} and {@link #onDelivery} (the broker calls only the callbacks a
 * module's class overrides), so every instance joins both the message chain and the delivery chain.
 * One instance per factory configuration {@code io.switchboard.bench.passthrough~<name>}; its
 * {@code service.ranking} comes from that configuration like every other property.
 */
@Component(
        name = PassThroughModule.PID,
        configurationPid = PassThroughModule.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true,
        service = MessageModule.class)
@SwitchboardModule(
        name = "passthrough",
        type = ModuleType.FILTER,
        nonblocking = true, // decides in memory; slow work would answer Verdict.later
        maturity = Maturity.ALPHA,
        description = "Passes every message and delivery unchanged (benchmark)")
public final class PassThroughModule implements MessageModule {

    /** The factory PID: configurations are {@code io.switchboard.bench.passthrough~<name>}. */
    static final String PID = "io.switchboard.bench.passthrough";

    @Override
    public Verdict onMessage(Message message, Session sender) {
        return Verdict.pass();
    }

    @Override
    public Verdict onDelivery(Message message, Session recipient) {
        return Verdict.pass();
    }
}
