package io.switchboard.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.switchboard.api.ReasonCode;
import io.switchboard.api.admin.BrokerStats;
import io.switchboard.store.MemoryStateStore;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleCounters;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.admin.SessionInfo;
import io.switchboard.api.admin.TraceStep;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.api.broker.RefusedException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SwitchboardCommandsTest {

    private final FakeBrokerAdmin admin = new FakeBrokerAdmin();
    private final FakeBroker broker = new FakeBroker();
    private final FakeFramework framework = new FakeFramework();
    private SwitchboardCommands commands;

    @BeforeEach
    void createCommands() {
        commands = new SwitchboardCommands(admin, broker, framework.context(), framework.configAdmin(),
                Duration.ofMillis(100));
    }

    static ModuleInfo module(String name, int ranking, String state, String reason, ModuleCounters counters) {
        return new ModuleInfo(name, state.equals("ACTIVE") || state.equals("DISABLED") ? 40 + ranking : -1, ranking,
                "FILTER", "BETA", "1.2.0", "io.switchboard.module." + name + " [12]", state, reason,
                EnumSet.of(ChainEvent.MESSAGE), List.of(), "FAIL_OPEN", 5000, counters);
    }

    static ModuleInfo inChain(String name, long serviceId, int ranking) {
        return new ModuleInfo(name, serviceId, ranking, "MONITOR", "GA", "1.0.0", "io.switchboard.module." + name + " [13]",
                "ACTIVE", null, EnumSet.of(ChainEvent.MESSAGE), List.of(), "FAIL_OPEN", 5000, null);
    }

    static ModuleInfo active(String name, int ranking, List<String> topics) {
        return new ModuleInfo(name, 40 + ranking, ranking, "MONITOR", "GA", "1.0.0", "io.switchboard.module." + name + " [13]",
                "ACTIVE", null, EnumSet.of(ChainEvent.MESSAGE), topics, "FAIL_OPEN", 5000,
                new ModuleCounters(0, 0, 0, 0, 0, 0, 0, 0));
    }

    @Nested
    class Modules {

        @Test
        void showsEveryColumnAndTheReasonUnderAModuleThatIsNotActive() {
            admin.modules.add(module("profanity", 100, "ACTIVE", null,
                    new ModuleCounters(10, 6, 2, 1, 0, 1, 250_000, 90_500)));
            admin.modules.add(module("geo", 0, "UNRESOLVED",
                    "needs io.switchboard.api [2.0,3) but this broker provides 1.0.0", null));

            String out = commands.modules();

            assertThat(out).isEqualTo("""
                    RANKING  NAME       TYPE    MATURITY  VERSION  BUNDLE                                STATE       POLICY     CALLS  PASS  CONSUME  REPLACE  ERRORS  TIMEOUTS  MEAN(µs)  MAX(µs)
                        100  profanity  FILTER  BETA      1.2.0    io.switchboard.module.profanity [12]  ACTIVE      FAIL_OPEN     10     6        2        1       0         1      25.0     90.5
                          0  geo        FILTER  BETA      1.2.0    io.switchboard.module.geo [12]        UNRESOLVED  FAIL_OPEN      -     -        -        -       -         -         -        -
                             needs io.switchboard.api [2.0,3) but this broker provides 1.0.0
                    2 modules: 1 ACTIVE, 1 UNRESOLVED""");
        }

        @Test
        void givesTheReasonOfEveryInactiveModuleOnTheLineBelowItsRow() {
            admin.modules.add(module("a", 10, "ACTIVE", null, new ModuleCounters(0, 0, 0, 0, 0, 0, 0, 0)));
            admin.modules.add(module("words", 0, "FAILED", "configuration rejected: words: must not be empty", null));
            admin.modules.add(module("b", 5, "DISABLED", null, new ModuleCounters(3, 3, 0, 0, 0, 0, 3000, 1000)));

            List<String> lines = commands.modules().lines().toList();

            assertThat(lines).hasSize(7);
            assertThat(lines.get(1)).contains(" a ").endsWith("0.0      0.0");
            assertThat(lines.get(2)).contains("words").contains("FAILED");
            assertThat(lines.get(3).trim()).isEqualTo("configuration rejected: words: must not be empty");
            assertThat(lines.get(4)).contains(" b ").contains("DISABLED");
            assertThat(lines.get(5).trim()).isEqualTo("disabled by an operator (sb:enable b puts it back)");
            assertThat(lines.get(6)).isEqualTo("3 modules: 1 ACTIVE, 1 FAILED, 1 DISABLED");
        }

        @Test
        void showsTheFailurePolicyTheQuarantineAndTheLastErrorWithItsTime() {
            admin.modules.add(new ModuleInfo("auth", 50, 100, "AUTHENTICATOR", "GA", "2.0.0", "com.acme.auth [20]", "ACTIVE",
                    null, EnumSet.of(ChainEvent.LOGIN), List.of(), "FAIL_CLOSED", 5000,
                    new ModuleCounters(4, 3, 0, 0, 0, 1, 4000, 2000), "timed out after 5000 ms",
                    Instant.parse("2025-03-01T10:15:30.250Z")));
            admin.modules.add(new ModuleInfo("flaky", 51, 0, "FILTER", "BETA", "1.0.0", "com.acme.flaky [21]", "QUARANTINED",
                    "quarantined: 10 failures or timeouts within 60000 ms, the last: failed: java.lang.IllegalStateException: "
                            + "boom (sb:enable flaky re-admits it)", EnumSet.of(ChainEvent.MESSAGE), List.of(), "FAIL_OPEN", 5000,
                    new ModuleCounters(10, 0, 0, 0, 10, 0, 9000, 1000), "failed: java.lang.IllegalStateException: boom",
                    Instant.parse("2025-03-01T10:16:00Z")));

            List<String> lines = commands.modules().lines().toList();

            assertThat(lines.get(0)).contains(" STATE        POLICY       CALLS ");
            assertThat(lines.get(1)).contains(" ACTIVE       FAIL_CLOSED      4     3 ");
            assertThat(lines.get(2).trim()).isEqualTo("last error at 2025-03-01T10:15:30Z: timed out after 5000 ms");
            assertThat(lines.get(3)).contains(" QUARANTINED  FAIL_OPEN       10     0 ");
            assertThat(lines.get(4).trim()).isEqualTo("quarantined: 10 failures or timeouts within 60000 ms, the last: "
                    + "failed: java.lang.IllegalStateException: boom (sb:enable flaky re-admits it)");
            assertThat(lines.get(5).trim())
                    .isEqualTo("last error at 2025-03-01T10:16:00Z: failed: java.lang.IllegalStateException: boom");
            assertThat(lines.get(6)).isEqualTo("2 modules: 1 ACTIVE, 1 QUARANTINED");
        }

        @Test
        void saysSoWhenThereAreNone() {
            assertThat(commands.modules()).isEqualTo("no modules installed");
        }
    }

    @Nested
    class Chain {

        @BeforeEach
        void chains() {
            admin.chains.put(ChainEvent.MESSAGE, List.of(active("profanity", 100, List.of("chat/#", "news/+")),
                    active("audit", 0, List.of())));
            admin.chains.put(ChainEvent.LOGIN, List.of(active("auth", 50, List.of())));
        }

        @Test
        void showsTheMessageChainInCallOrderByDefault() {
            assertThat(commands.chain()).isEqualTo("""
                    MESSAGE (onMessage): 2 modules, called in this order
                    ORDER  RANKING  NAME       TYPE     TOPICS
                        1      100  profanity  MONITOR  chat/#, news/+
                        2        0  audit      MONITOR  all""");
        }

        @Test
        void acceptsEventNamesInAnyCase() {
            assertThat(commands.chain("login")).startsWith("LOGIN (onLogin): 1 module,").contains("auth");
            assertThat(commands.chain("Message")).isEqualTo(commands.chain());
            assertThat(commands.chain("CONNECT")).isEqualTo("no module handles CONNECT (onConnect)");
            assertThat(commands.chain("session-open")).isEqualTo("no module handles SESSION_OPEN (onSessionOpen)");
            assertThat(commands.chain("onLogin")).isEqualTo(commands.chain("LOGIN"));
        }

        @Test
        void showsEveryEventWithAChainForAll() {
            String out = commands.chain("all");

            assertThat(out).startsWith("LOGIN (onLogin)").contains("\n\nMESSAGE (onMessage)");
            assertThat(out).doesNotContain("CONNECT");
        }

        @Test
        void saysSoWhenNoEventHasAChain() {
            admin.chains.clear();

            assertThat(commands.chain("ALL")).isEqualTo("no module handles any event");
        }

        @Test
        void listsTheValidEventsForAnUnknownOne() {
            assertThatThrownBy(() -> commands.chain("publish"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("unknown event 'publish'; valid events: connect, tls, login, logout, subscribe, "
                            + "unsubscribe, message, delivery, status, decision, call, call_status, session_open, session_close, "
                            + "session_free, worker_start, worker_stop, all");
        }
    }

    @Nested
    class Config {

        @BeforeEach
        void services() {
            Map<String, Object> profanity = new LinkedHashMap<>();
            profanity.put("switchboard.module.name", "profanity");
            profanity.put("component.name", "io.switchboard.module.profanity");
            profanity.put("component.id", 7L);
            profanity.put("service.pid", "io.switchboard.module.profanity");
            profanity.put("service.ranking", 100);
            profanity.put("words", new String[] {"darn", "heck"});
            profanity.put("api.password", "s3cret");
            profanity.put("felix.fileinstall.filename", "file:/opt/sb/etc/io.switchboard.module.profanity.cfg");
            framework.registerModule("io.switchboard.module.profanity", 12, profanity);
            framework.configurations.put("io.switchboard.module.profanity",
                    Map.of("felix.fileinstall.filename", "file:/opt/sb/etc/io.switchboard.module.profanity.cfg"));

            framework.registerModule("io.switchboard.module.audit", 13, Map.of(
                    "component.name", "audit", "component.id", 8L, "service.ranking", "5"));
        }

        @Test
        void showsSortedServicePropertiesWithThePidAndTheSourceFile() {
            assertThat(commands.config("profanity")).isEqualTo("""
                    module:            profanity
                    service:           100 from io.switchboard.module.profanity [12]
                    configuration pid: io.switchboard.module.profanity
                    source file:       file:/opt/sb/etc/io.switchboard.module.profanity.cfg
                    properties:
                      api.password:               (hidden)
                      component.name:             io.switchboard.module.profanity
                      felix.fileinstall.filename: file:/opt/sb/etc/io.switchboard.module.profanity.cfg
                      service.pid:                io.switchboard.module.profanity
                      service.ranking:            100
                      switchboard.module.name:    profanity
                      words:                      [darn, heck]""");
            assertThat(framework.configFilters).containsExactly("(service.pid=io.switchboard.module.profanity)");
        }

        @Test
        void findsAModuleWithoutANamePropertyByItsComponentNameAndShowsTheRankingTheChainUsesForAString() {
            admin.modules.add(inChain("audit", 101, 5));

            String out = commands.config("audit");

            assertThat(out).contains("configuration pid: none (the component's defaults)")
                    .doesNotContain("source file")
                    .contains("service.ranking: 5  (a String, not an Integer: the chain ranks the module 5)")
                    .doesNotContain("objectClass").doesNotContain("service.id").doesNotContain("service.bundleid")
                    .doesNotContain("service.scope").doesNotContain("component.id");
        }

        @Test
        void aRankingThatIsNotAnIntegerShowsTheLastGoodRankingTheChainKeeps() {
            framework.registerModule("io.switchboard.module.msgid", 14, Map.of(
                    "component.name", "msgid", "component.id", 9L, "service.ranking", "abc"));
            admin.modules.add(inChain("msgid", 102, 40));

            assertThat(commands.config("msgid"))
                    .contains("service.ranking: abc  (a String, not an Integer: the chain ranks the module 40)")
                    .doesNotContain("counts it as 0");
        }

        @Test
        void saysWhenTheConfigurationIsNotFromAFile() {
            framework.configurations.put("io.switchboard.module.profanity", Map.of("words", "darn"));

            assertThat(commands.config("profanity"))
                    .contains("source file:       none (set through Configuration Admin, not from a file)");
        }

        @Test
        void worksWithoutConfigurationAdmin() {
            commands = new SwitchboardCommands(admin, broker, framework.context(), null, Duration.ofMillis(100));

            assertThat(commands.config("profanity")).contains(
                    "source file:       file:/opt/sb/etc/io.switchboard.module.profanity.cfg (Configuration Admin is not running)");
        }

        @Test
        void listsTheKnownModulesForAnUnknownOne() {
            admin.modules.add(module("geo", 0, "UNRESOLVED", "needs io.switchboard.api [2.0,3)", null));

            assertThatThrownBy(() -> commands.config("profanty"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("no module named 'profanty'; known modules: audit, geo, profanity");
        }

        @Test
        void refusesANameTwoVersionsOfABundleShareAndShowsTheOneAVersionChooses() {
            framework.registerModule("acme.filter", 21, Map.of("switchboard.module.name", "filter", "test.version", "1.0.1",
                    "service.id", 201L, "words", "old"));
            framework.registerModule("acme.filter", 22, Map.of("switchboard.module.name", "filter", "test.version", "1.0.2",
                    "service.id", 202L, "words", "new"));
            admin.modules.add(new ModuleInfo("filter", 202, 0, "FILTER", "BETA", "1.0.2", "acme.filter [22]", "ACTIVE", null,
                    EnumSet.of(ChainEvent.MESSAGE), List.of(), "FAIL_OPEN", 5000, null));
            admin.modules.add(new ModuleInfo("filter", 201, 0, "FILTER", "BETA", "1.0.1", "acme.filter [21]", "SUPERSEDED",
                    "superseded by version 1.0.2", EnumSet.of(ChainEvent.MESSAGE), List.of(), "FAIL_OPEN", 5000, null));

            assertThatThrownBy(() -> commands.config("filter"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'filter' names 2 modules; choose one: filter@1.0.1 (bundle acme.filter [21], SUPERSEDED), "
                            + "filter@1.0.2 (bundle acme.filter [22], ACTIVE)");
            assertThat(commands.config("filter@1.0.1")).contains("service:           201 from acme.filter [21]")
                    .contains("words:                   old");
            assertThat(commands.config("filter@22")).contains("words:                   new");
        }

        @Test
        void explainsWhyAnInstalledModuleHasNoConfigurationToShow() {
            admin.modules.add(module("words", 0, "FAILED", "configuration rejected: words: must not be empty", null));

            assertThatThrownBy(() -> commands.config("words"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("module 'words' has no registered service")
                    .hasMessageContaining("FAILED: configuration rejected: words: must not be empty");
        }
    }

    @Nested
    class Send {

        @Test
        void logsInAsTheUserPublishesAndClosesTheSession() {
            broker.publishResult = new PublishResult(17, true, 3, null, null);

            String out = commands.send("alice", 1, true, "chat/room", "hello there");

            assertThat(out).isEqualTo("message 17 routed to 3 subscriber(s)");
            assertThat(broker.logins).singleElement().satisfies(login -> {
                assertThat(login.clientId()).isEqualTo("shell-1");
                assertThat(login.userName()).isEqualTo("alice");
                assertThat(login.protocol()).isEqualTo("internal");
                assertThat(login.connection()).isNull();
            });
            assertThat(broker.published).singleElement().satisfies(m -> {
                assertThat(m.topic()).isEqualTo("chat/room");
                assertThat(m.payloadText()).isEqualTo("hello there");
                assertThat(m.qos()).isEqualTo(1);
                assertThat(m.retain()).isTrue();
            });
            assertThat(broker.closed).containsExactly("shell-1: shell send done");
        }

        @Test
        void usesAFreshClientIdPerSend() {
            commands.send("shell", 0, false, "a", "1");
            commands.send("shell", 0, false, "a", "2");

            assertThat(broker.logins).extracting(l -> l.clientId()).containsExactly("shell-1", "shell-2");
        }

        @Test
        void tellsWhyTheChainConsumedTheMessage() {
            broker.publishResult = new PublishResult(18, false, 0, ReasonCode.PAYLOAD_FORMAT_INVALID, "profanity");

            assertThat(commands.send("shell", 0, false, "chat/room", "darn"))
                    .isEqualTo("message 18 consumed by the chain: profanity (PAYLOAD_FORMAT_INVALID)");

            broker.publishResult = new PublishResult(19, false, 0, null, null);
            assertThat(commands.send("shell", 0, false, "chat/room", "darn"))
                    .isEqualTo("message 19 consumed by the chain: no reason given");
        }

        @Test
        void reportsARefusedLogin() {
            broker.loginFailure = new RefusedException(ReasonCode.NOT_AUTHORIZED, "mallory is banned");

            assertThatThrownBy(() -> commands.send("mallory", 0, false, "chat/room", "hi"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("could not log in as 'mallory' (client shell-1): refused (NOT_AUTHORIZED): mallory is banned");
            assertThat(broker.published).isEmpty();
        }

        @Test
        void givesUpOnALoginThatNeverCompletes() {
            broker.loginNeverCompletes = true;

            assertThatThrownBy(() -> commands.send("shell", 0, false, "chat/room", "hi"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("could not log in as 'shell' (client shell-1): no answer within 100ms");
        }

        @Test
        void closesTheSessionWhenTheChainNeverDecides() {
            broker.publishResult = null;

            assertThatThrownBy(() -> commands.send("shell", 0, false, "chat/room", "hi"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("could not publish to 'chat/room': no answer within 100ms");
            assertThat(broker.closed).containsExactly("shell-1: shell send done");
        }

        @Test
        void refusesBadInputBeforeLoggingIn() {
            assertThatThrownBy(() -> commands.send("shell", 3, false, "chat/room", "hi"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("qos must be 0, 1 or 2: 3");
            assertThatThrownBy(() -> commands.send("shell", 0, false, "chat/#", "hi"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a valid topic name");
            assertThat(broker.logins).isEmpty();
        }
    }

    @Nested
    class Trace {

        @Test
        void showsEachStepAndThatTheMessagePasses() {
            admin.traceSteps.add(new TraceStep("profanity", "replace", 12_340, "what the ****"));
            admin.traceSteps.add(new TraceStep("geo", "skipped (topic)", 0, "what the ****"));
            admin.traceSteps.add(new TraceStep("audit", "pass", 1_500, "what the ****"));

            String out = commands.trace("alice", "chat/room", "what the heck");

            assertThat(out).isEqualTo("""
                    trace of 'what the heck' to 'chat/room' from alice (dry run: nothing routed, no counter changed)
                    STEP  MODULE     DECISION         TIME(µs)  PAYLOAD AFTER
                       1  profanity  replace              12.3  'what the ****'
                       2  geo        skipped (topic)       0.0  'what the ****'
                       3  audit      pass                  1.5  'what the ****'
                    outcome: passes the chain; subscribers would receive 'what the ****'
                    total time: 13.8 µs""");
            assertThat(admin.traced.from()).isEqualTo("alice");
            assertThat(admin.traced.topic()).isEqualTo("chat/room");
            assertThat(admin.traced.payloadText()).isEqualTo("what the heck");
        }

        @Test
        void namesTheModuleThatConsumedTheMessage() {
            admin.traceSteps.add(new TraceStep("auth", "pass", 1000, "darn"));
            admin.traceSteps.add(new TraceStep("profanity", "consume(PAYLOAD_FORMAT_INVALID: profanity)", 2000, "darn"));

            assertThat(commands.trace("shell", "chat/room", "darn")).contains(
                    "\noutcome: consumed by profanity (consume(PAYLOAD_FORMAT_INVALID: profanity)); no subscriber would see it");
        }

        @Test
        void namesTheModuleWhoseFailurePolicyConsumedTheMessage() { // issue 10, defect 5
            admin.traceSteps.add(new TraceStep("auth", "timed out after 200 ms (policy FAIL_CLOSED) → consumed", 201_000_000, "hi"));

            assertThat(commands.trace("shell", "chat/room", "hi")).contains("\noutcome: consumed by auth (timed out after 200 ms "
                    + "(policy FAIL_CLOSED) → consumed); no subscriber would see it");
        }

        @Test
        void aFailOpenPolicyLetsTheMessagePass() {
            admin.traceSteps.add(new TraceStep("geo", "failed: java.lang.IllegalStateException: boom (policy FAIL_OPEN) → passed",
                    1000, "hi"));

            assertThat(commands.trace("shell", "chat/room", "hi")).contains("\noutcome: passes the chain; subscribers would receive 'hi'");
        }

        @Test
        void saysSoWhenNoModuleHandlesMessages() {
            assertThat(commands.trace("shell", "chat/room", "hi")).endsWith("""
                    no module handles messages
                    outcome: passes the chain unchanged; subscribers would receive 'hi'""");
        }

        @Test
        void refusesAWildcardTopic() {
            assertThatThrownBy(() -> commands.trace("shell", "chat/+", "hi"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a valid topic name");
        }
    }

    @Nested
    class EnableDisable {

        @BeforeEach
        void modules() {
            admin.modules.add(module("profanity", 100, "ACTIVE", null, null));
            admin.modules.add(module("audit", 0, "DISABLED", null, null));
        }

        @Test
        void switchesModulesThroughTheAdmin() {
            assertThat(commands.disable("profanity")).startsWith("module profanity disabled");
            assertThat(commands.enable("audit")).isEqualTo("module audit enabled: back in the chain");

            assertThat(admin.switches).containsExactly("profanity=false", "audit=true");
        }

        @Test
        void refusesANameTwoVersionsShareAndPassesTheChosenVersionOn() {
            admin.modules.add(new ModuleInfo("filter", 202, 0, "FILTER", "BETA", "1.0.2", "acme.filter [22]", "ACTIVE", null,
                    EnumSet.of(ChainEvent.MESSAGE), List.of(), "FAIL_OPEN", 5000, null));
            admin.modules.add(new ModuleInfo("filter", 201, 0, "FILTER", "BETA", "1.0.1", "acme.filter [21]", "SUPERSEDED",
                    "superseded by version 1.0.2", EnumSet.of(ChainEvent.MESSAGE), List.of(), "FAIL_OPEN", 5000, null));

            assertThatThrownBy(() -> commands.disable("filter"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'filter' names 2 modules; choose one: filter@1.0.2 (bundle acme.filter [22], ACTIVE), "
                            + "filter@1.0.1 (bundle acme.filter [21], SUPERSEDED)");
            assertThatThrownBy(() -> commands.enable("filter@2.0"))
                    .hasMessageStartingWith("no module 'filter' matches '2.0'; candidates: filter@1.0.2");
            assertThat(commands.disable("filter@1.0.2")).startsWith("module filter@1.0.2 disabled");
            assertThat(admin.switches).containsExactly("filter@1.0.2=false");
        }

        @Test
        void listsTheKnownModulesForAnUnknownOne() {
            assertThatThrownBy(() -> commands.enable("nope"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("no module named 'nope'; known modules: audit, profanity");
            assertThat(admin.switches).isEmpty();
        }
    }

    @Test
    void listsSessionsWithTheirConnectionAndSubscriptions() {
        admin.sessions.add(new SessionInfo(1, "bot", "bot", "internal", null, null, true,
                List.of(io.switchboard.api.Subscription.of("cmd/+", 2))));
        admin.sessions.add(new SessionInfo(2, "laptop", "anonymous", "mqtt-5", null, null, false, List.of()));
        admin.sessions.add(new SessionInfo(3, "phone", "alice", "mqtt-3.1.1", "tcp", "127.0.0.1:40001", true,
                List.of(io.switchboard.api.Subscription.of("alerts", 0), io.switchboard.api.Subscription.of("chat/#", 1))));

        assertThat(commands.sessions("")).isEqualTo("""
                CLIENT  USER       PROTOCOL    CONNECTION           SUBSCRIPTIONS
                bot     bot        internal    in-process           cmd/+ (QoS 2)
                laptop  anonymous  mqtt-5      offline (kept)
                phone   alice      mqtt-3.1.1  tcp 127.0.0.1:40001  alerts (QoS 0), chat/# (QoS 1)""");
        assertThat(admin.searches).containsExactly(" limit " + (SwitchboardCommands.MAX_SESSIONS + 1));
        admin.sessions.clear();
        assertThat(commands.sessions("kitchen")).isEqualTo("no session matches 'kitchen'");
    }

    @Test
    void showsTheStatsAsAlignedLines() {
        admin.stats = new BrokerStats(93_784_000, 4, 9, 3, 1000, 990, 10, 2970, 2960, 5, 1, 2, 1, 16, 12);

        assertThat(commands.stats()).isEqualTo("""
                uptime:            1d 2h 3m 4s
                sessions:          4
                subscriptions:     9
                retained:          12
                modules:           3
                published:         1000
                routed:            990
                consumed:          10
                deliveries:        2970
                delivered:         2960
                failed:            5
                expired:           1
                in flight:         2
                abandoned threads: 1 (limit 16)
                message ids:       built-in (time-ordered counter)""");
    }

    @Test
    void showsWhatTheStoreRecoveredAndHasWritten() {
        admin.stats = new BrokerStats(1000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16);
        MemoryStateStore store = new MemoryStateStore();
        store.put("mqtt.sessions", "c", new byte[] {1});
        store.put("retained", "t", new byte[] {1});
        commands.store = store;

        assertThat(commands.stats()).contains("store:              memory")
                .contains("recovered at start: {mqtt.sessions=1, retained=1} in 0 ms")
                .contains("store writes:       0 batches, 0 failed, 0 changes pending");
    }
}
