package io.switchboard.itest.mqtt.support;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** Unique client ids and topics, so that tests sharing a broker never see each other's messages. */
public final class Names {

    private static final String RUN = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private Names() {
    }

    /** A fresh topic prefix, e.g. {@code itest/k3f9-12/retain}: use it as the root of a test's topics. */
    public static String topic(String label) {
        return "itest/" + RUN + "-" + COUNTER.incrementAndGet() + "/" + label;
    }

    /** A fresh client id (at most 23 characters, as MQTT 3.1.1 servers must accept). */
    public static String clientId(String label) {
        String id = label.replaceAll("[^A-Za-z0-9]", "");
        id = id.substring(0, Math.min(id.length(), 12));
        return id + "-" + RUN + "-" + COUNTER.incrementAndGet();
    }
}
