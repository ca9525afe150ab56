package io.switchboard.itest.mqtt.conformance;

import static io.switchboard.itest.mqtt.conformance.Conformance.QUIET;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.switchboard.itest.mqtt.conformance.PyPaho.Event;
import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.Paho5;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * Debian's python3-paho-mqtt (3.1.1 and 5.0) against the distribution, through {@link PyPaho}: every QoS, the
 * PUBLISH properties exactly, overlapping subscriptions (one copy, highest QoS, every identifier), subscription
 * options, empty client ids, resumed sessions and a will whose session ends before its delay when the client process
 * is killed. Skipped (with a message) when {@value PyPaho#PYTHON} has no paho.mqtt.
 */
@ExtendWith(BrokerExtension.class)
class PythonPahoIT {

    @BeforeAll
    static void needsPythonPaho() {
        PyPaho.assumeInstalled();
    }

    @ParameterizedTest(name = "protocol level {0}, QoS {1}")
    @CsvSource({"4, 0", "4, 1", "4, 2", "5, 0", "5, 1", "5, 2"})
    void publishesAndReceivesAtEveryQos(int version, int qos, Broker broker) throws Exception {
        // 3.1.1 / 5.0 4.3: the QoS flows end to end; [MQTT-3.8.4-6]-style: delivered at the published QoS
        String topic = Names.topic("py" + version + "q" + qos);
        try (PyPaho sub = PyPaho.start(broker, version, Names.clientId("pysub"));
                PyPaho pub = PyPaho.start(broker, version, Names.clientId("pypub"))) {
            assertThat(sub.connack().integer("rc")).isZero();
            assertThat(pub.connack().integer("rc")).isZero();
            assertThat(sub.subscribe(topic, 2)).containsExactly(2);
            pub.publish(topic, "hello from python " + qos, qos);
            Event m = sub.expect("message");
            assertThat(m.get("topic")).isEqualTo(topic);
            assertThat(m.get("payload")).isEqualTo("hello from python " + qos);
            assertThat(m.integer("qos")).isEqualTo(qos);
        }
    }

    @Test
    void everyPublishPropertyArrivesExactly(Broker broker) throws Exception {
        // [MQTT-3.3.2-4], [MQTT-3.3.2-6], [MQTT-3.3.2-15], [MQTT-3.3.2-16], [MQTT-3.3.2-17], [MQTT-3.3.2-18],
        // [MQTT-3.3.2-20]: forwarded unaltered, user properties in order, nothing added
        String topic = Names.topic("pyprops");
        try (PyPaho sub = PyPaho.start(broker, 5, Names.clientId("pysub"));
                PyPaho pub = PyPaho.start(broker, 5, Names.clientId("pypub"))) {
            sub.connack();
            pub.connack();
            sub.subscribe(topic, 1);
            pub.publish(topic, "{\"on\":true}", 1, "pfi=1", "expiry=120", "ctype=application/json", "rtopic=" + topic + "/reply",
                    "corr=00ff10", "user=name:first", "user=other:x y", "user=name:second");
            Event m = sub.expect("message");
            assertThat(m.userProperties()).as("user properties").containsExactly("name=first", "other=x y", "name=second");
            assertThat(m.integer("expiry")).as("Message Expiry Interval").isBetween(110, 120);
            assertThat(m.properties()).as("every property received").containsExactlyInAnyOrder("pfi=1", "expiry=" + m.get("expiry"),
                    "ctype=application/json", "rtopic=" + topic + "/reply", "corr=00ff10",
                    "user=name=first", "user=other=x y", "user=name=second");
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void overlappingSubscriptionsGiveOneCopyAtTheHighestQos(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.3.5-1] / 5.0 [MQTT-3.3.4-2]; 5.0 [MQTT-3.3.4-3], [MQTT-3.3.4-4]: every matching identifier
        String root = Names.topic("pyoverlap" + version);
        try (PyPaho sub = PyPaho.start(broker, version, Names.clientId("pysub"));
                PyPaho pub = PyPaho.start(broker, version, Names.clientId("pypub"))) {
            sub.connack();
            pub.connack();
            if (version == Packets.V5) {
                sub.subscribe(root + "/#", 0, "subid=3");
                sub.subscribe(root + "/+/x", 2, "subid=4");
            } else {
                sub.subscribe(root + "/#", 0);
                sub.subscribe(root + "/+/x", 2);
            }
            sub.subscribe(root + "/a/x", 1);
            pub.publish(root + "/a/x", "overlapping", 2);
            Event m = sub.expect("message");
            assertThat(m.integer("qos")).as("QoS of " + m).isEqualTo(2);
            if (version == Packets.V5) {
                assertThat(m.all("subid")).as("subscription identifiers of " + m).containsExactlyInAnyOrder("3", "4");
            }
            sub.events().expectNothing(QUIET);
        }
    }

    @Test
    void subscriptionOptionsNoLocalRetainAsPublishedAndRetainHandling(Broker broker) throws Exception {
        // 5.0 [MQTT-3.8.3-3] no local, [MQTT-3.3.1-13] retain as published, [MQTT-3.3.1-11] retain handling 2
        String topic = Names.topic("pyoptions");
        try (PyPaho client = PyPaho.start(broker, 5, Names.clientId("pyopts"));
                PyPaho other = PyPaho.start(broker, 5, Names.clientId("pyother"))) {
            client.connack();
            other.connack();
            other.publish(topic + "/rap", "retained before", 1, "retain=1");
            client.subscribe(topic + "/nolocal", 1, "nolocal=1");
            client.subscribe(topic + "/rap", 1, "rap=1", "rh=2");
            client.publish(topic + "/nolocal", "mine", 1);
            other.publish(topic + "/nolocal", "theirs", 1);
            Event first = client.expect("message");
            assertThat(first.get("payload")).as("no local; retain handling 2 sent no retained message").isEqualTo("theirs");
            other.publish(topic + "/rap", "retained live", 1, "retain=1");
            Event live = client.expect("message");
            assertThat(live.get("payload")).isEqualTo("retained live");
            assertThat(live.integer("retain")).as("RETAIN with retain as published").isEqualTo(1);
            other.publish(topic + "/rap", "", 1, "retain=1");
            assertThat(client.expect("message").get("payload")).isEmpty(); // the clearing message, live
        }
    }

    @Test
    void emptyClientIds(Broker broker) throws Exception {
        // 5.0 [MQTT-3.1.3-6], [MQTT-3.2.2-16]: assigned and returned; 3.1.1 [MQTT-3.1.3-6], [MQTT-3.1.3-7]: accepted with
        // clean session 1 (python-paho itself refuses an empty id with clean session 0)
        try (PyPaho v5 = PyPaho.start(broker, 5, "");
                PyPaho v311 = PyPaho.start(broker, 4, "", "clean=1")) {
            Event connack5 = v5.connack();
            assertThat(connack5.integer("rc")).isZero();
            assertThat(connack5.get("assigned")).as("Assigned Client Identifier in " + connack5).isNotBlank();
            Event connack3 = v311.connack();
            assertThat(connack3.integer("rc")).isZero();
            String topic = Names.topic("pyanon");
            v311.subscribe(topic, 1);
            v5.publish(topic, "anonymous", 1);
            assertThat(v311.expect("message").get("payload")).isEqualTo("anonymous");
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void aSessionIsResumedWithItsQueuedMessages(int version, Broker broker) throws Exception {
        // 3.1.1 / 5.0 [MQTT-3.1.2-5], [MQTT-3.2.2-2]: clean session/start 0 resumes the session (session present 1),
        // its subscription and the QoS 1 message that arrived meanwhile
        String topic = Names.topic("pyresume" + version);
        String id = Names.clientId("pyresume");
        String[] persistent = version == Packets.V5 ? new String[] {"clean=0", "expiry=60"} : new String[] {"clean=0"};
        try (PyPaho first = PyPaho.start(broker, version, id, persistent)) {
            first.connack();
            first.subscribe(topic, 1);
            first.disconnect();
        }
        try (Paho5 publisher = Paho5.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            publisher.publish(topic, "while away", 1, false);
        }
        try (PyPaho back = PyPaho.start(broker, version, id, persistent)) {
            assertThat(back.connack().integer("present")).as("session present").isEqualTo(1);
            Event m = back.expect("message");
            assertThat(m.get("payload")).isEqualTo("while away");
            if (version == Packets.V5) {
                back.disconnect("expiry=0");
            }
        }
        if (version == Packets.V311) {
            try (PyPaho cleanup = PyPaho.start(broker, version, id, "clean=1")) {
                assertThat(cleanup.connack().integer("present")).isZero();
            }
        }
    }

    @Test
    void aKilledClientsWillComesWhenItsSessionEndsBeforeTheWillDelay(Broker broker) throws Exception {
        // 5.0 [MQTT-3.1.2-8], 3.1.3.2.2: the client process dies (no DISCONNECT); session expiry 1 s < will delay 60 s
        String topic = Names.topic("pywill");
        try (PyPaho watcher = PyPaho.start(broker, 5, Names.clientId("pywatch"));
                PyPaho dying = PyPaho.start(broker, 5, Names.clientId("pydying"), "expiry=1", "will.topic=" + topic,
                        "will.payload=python died", "will.qos=1", "will.delay=60")) {
            watcher.connack();
            watcher.subscribe(topic, 1);
            dying.connack();
            long killed = System.nanoTime();
            dying.kill();
            Event will = watcher.events().next(Duration.ofSeconds(8));
            long after = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertThat(will.type()).isEqualTo("message");
            assertThat(will.get("payload")).isEqualTo("python died");
            assertThat(after).as("ms from the kill to the will (session expiry 1 s, will delay 60 s)").isBetween(700L, 7000L);
        }
    }
}
