package io.switchboard.itest.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.switchboard.api.Message;
import io.switchboard.api.broker.Delivery;
import io.switchboard.api.broker.Receiver;
import org.awaitility.Awaitility;

/**
 * An in-process subscriber's receiver: keeps every delivered message with its arrival time, in
 * arrival order, and acknowledges it at once (QoS 1 delivered).
 */
public final class Inbox implements Receiver {

    /** One delivered message and when it arrived ({@link System#nanoTime()}). */
    public record Received(Message message, long nanos) {
        /** The message's payload as text. */
        public String text() {
            return message.payloadText();
        }
    }

    private final String name;
    private final List<Received> received = new ArrayList<>();

    public Inbox(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public void deliver(Message message, Delivery delivery) {
        long now = System.nanoTime();
        synchronized (received) {
            received.add(new Received(message, now));
        }
        delivery.delivered();
    }

    /** Everything received so far, in arrival order. */
    public List<Received> all() {
        synchronized (received) {
            return new ArrayList<>(received);
        }
    }

    /** The messages received so far, in arrival order. */
    public List<Message> messages() {
        return all().stream().map(Received::message).collect(Collectors.toList());
    }

    /** How many messages arrived so far. */
    public int size() {
        synchronized (received) {
            return received.size();
        }
    }

    /** The received messages on {@code topic}. */
    public List<Message> onTopic(String topic) {
        return messages().stream().filter(m -> m.topic().equals(topic)).collect(Collectors.toList());
    }

    /** Waits (bounded) for the first message on {@code topic} and returns it. */
    public Received awaitTopic(String topic) {
        return await("a message on " + topic, m -> m.topic().equals(topic));
    }

    /** Waits (bounded) for the first message matching {@code test} and returns it. */
    public Received await(String what, Predicate<Message> test) {
        return await(what, SwitchboardTestSupport.WAIT_TIMEOUT, test);
    }

    /** Waits up to {@code timeout} for the first message matching {@code test} and returns it. */
    public Received await(String what, Duration timeout, Predicate<Message> test) {
        return Awaitility.await(name + " to receive " + what).atMost(timeout)
                .until(() -> all().stream().filter(r -> test.test(r.message())).findFirst().orElse(null),
                        Objects::nonNull);
    }

    /** Waits (bounded) until at least {@code count} messages arrived. */
    public List<Received> awaitCount(int count, Duration timeout) {
        Awaitility.await(name + " to hold " + count + " messages (size)").atMost(timeout)
                .until(this::size, n -> n >= count);
        return all();
    }

    @Override
    public String toString() {
        return name + all().stream().map(r -> r.message().topic() + "=" + r.text()).collect(Collectors.toList());
    }
}
