package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The crash test: several publishers send QoS 1 messages while the broker is killed with SIGKILL at random
 * moments and restarted; at the end every message a publisher got a PUBACK for has reached every persistent
 * subscriber. {@code mvn verify} runs {@value #SMOKE_KILLS} kills; the long run is
 * {@code mvn -B verify -pl itests -Dit.test=CrashLoopIT -Dswitchboard.crashloop.kills=20}.
 */
@ExtendWith(BrokerExtension.class)
// queues that hold everything: what is measured is durability, not the queue policy (a full queue drops by design)
@BrokerExtension.Dedicated(config = {"io.switchboard.mqtt.cfg: max.queued.messages = 10000000",
        "io.switchboard.mqtt.cfg: max.queued.bytes = 1000000000"})
class CrashLoopIT {

    static final int SMOKE_KILLS = 3;
    private static final int PUBLISHERS = 3;
    private static final int SUBSCRIBERS = 2;
    private static final Duration DRAIN = Duration.ofSeconds(60);

    private final String topic = Names.topic("crash");
    /** Payloads whose PUBACK came, i.e. that the broker promised to deliver. */
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean running = new AtomicBoolean(true);

    @Test
    void noAcknowledgedMessageIsLostAcrossRepeatedSigkills(Broker broker) throws Exception {
        int kills = Integer.getInteger("switchboard.crashloop.kills", SMOKE_KILLS);
        List<String> subscriberIds = new ArrayList<>();
        List<Set<String>> received = new ArrayList<>();
        for (int i = 0; i < SUBSCRIBERS; i++) {
            String id = Names.clientId("crash-sub" + i);
            subscriberIds.add(id);
            received.add(ConcurrentHashMap.newKeySet());
            try (Paho3 subscriber = Paho3.create(broker, Transport.TCP, id)) {
                subscriber.connect(o -> o.setCleanSession(false));
                subscriber.subscribe(topic + "/#", 1);
                subscriber.disconnect();
            }
        }
        List<Thread> publishers = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
            int number = p;
            Thread t = new Thread(() -> publishUntilStopped(broker, number), "crash-publisher-" + p);
            t.start();
            publishers.add(t);
        }
        for (int k = 0; k < kills; k++) {
            Thread.sleep(ThreadLocalRandom.current().nextLong(300, 1500)); // a random moment in the traffic
            broker.kill();
            broker.restart();
        }
        Thread.sleep(500);
        running.set(false);
        for (Thread t : publishers) {
            t.join(30_000);
        }
        assertThat(acknowledged).as("messages acknowledged across %d kills", kills).isNotEmpty();
        for (int i = 0; i < SUBSCRIBERS; i++) {
            Set<String> got = received.get(i);
            drain(broker, subscriberIds.get(i), got);
            Set<String> lost = new java.util.TreeSet<>(acknowledged);
            lost.removeAll(got);
            assertThat(lost).as("acknowledged to a publisher but never delivered to " + subscriberIds.get(i) + " ("
                    + acknowledged.size() + " acknowledged over " + kills + " kills)").isEmpty();
        }
        System.out.printf("Crash loop: %d SIGKILLs, %d messages acknowledged, every one delivered to each of %d persistent"
                + " subscribers%n", kills, acknowledged.size(), SUBSCRIBERS);
    }

    /** Publishes numbered QoS 1 messages; after a lost connection, connects again once the broker is back. */
    private void publishUntilStopped(Broker broker, int number) {
        long sequence = 0;
        while (running.get()) {
            try (Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("crash-pub" + number))) {
                while (running.get()) {
                    String payload = "p" + number + "-" + sequence;
                    publisher.publish(topic + "/" + number, payload, 1, false); // returns once the PUBACK came
                    acknowledged.add(payload);
                    sequence++;
                }
                publisher.disconnect();
            } catch (Exception e) {
                sequence++; // the message in flight may or may not have been stored: it is not counted either way
                pause();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Resumes the subscriber's session and reads until every acknowledged message came or nothing more comes. */
    private void drain(Broker broker, String clientId, Set<String> got) throws Exception {
        try (Paho3 subscriber = Paho3.create(broker, Transport.TCP, clientId)) {
            subscriber.connect(o -> o.setCleanSession(false));
            long deadline = System.nanoTime() + DRAIN.toNanos();
            while (!got.containsAll(acknowledged) && System.nanoTime() < deadline) {
                Paho3.Received r;
                try {
                    r = subscriber.inbox().next(Duration.ofSeconds(10));
                } catch (AssertionError nothingMore) {
                    return; // what is missing now is lost: the assertion names it
                }
                got.add(r.text());
            }
            subscriber.disconnect();
        }
    }
}
