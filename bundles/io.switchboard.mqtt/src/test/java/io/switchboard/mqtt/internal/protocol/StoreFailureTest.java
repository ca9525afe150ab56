package io.switchboard.mqtt.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.switchboard.store.MemoryStateStore;
import io.switchboard.store.StateStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A store that cannot write (a full disk): no publisher is told its message was accepted, and it recovers. */
class StoreFailureTest extends LoopbackTest {

    /** A store whose writes fail while {@link #full}, as they do on a full disk. */
    private static final class FillingStore implements StateStore {
        final MemoryStateStore records = new MemoryStateStore();
        volatile boolean full;

        @Override
        public boolean durable() {
            return true;
        }

        @Override
        public long previousRunAlive() {
            return 0;
        }

        @Override
        public void read(String space, BiConsumer<String, byte[]> each) {
            records.read(space, each);
        }

        @Override
        public void put(String space, String key, byte[] value) {
            records.put(space, key, value);
        }

        @Override
        public void delete(String space, String key) {
            records.delete(space, key);
        }

        @Override
        public void deletePrefix(String space, String keyPrefix) {
            records.deletePrefix(space, keyPrefix);
        }

        @Override
        public CompletionStage<Void> written() {
            return full ? CompletableFuture.failedFuture(new IOException("No space left on device")) : records.written();
        }
    }

    private final FillingStore disk = new FillingStore();

    @BeforeEach
    void onAFillingDisk() {
        stateStore = disk;
    }

    @Test
    void anMqtt5PublisherGetsAnErrorReasonCodeAndNoSuccessWhileTheStoreCannotWrite() {
        TestClient pub = client();
        pub.connect(MqttVersion.MQTT_5, "pub5", true);
        disk.full = true;
        pub.publish("t", 1, 1, "not stored");
        TestClient.Packet refused = pub.expect(MqttMessageType.PUBACK);
        assertThat(refused.reasonCode()).isEqualTo(0x80);
        assertThat(refused.properties().getProperty(MqttProperties.REASON_STRING).value().toString())
                .contains("could not store").contains("No space left on device");

        disk.full = false; // space came back: the broker goes on without a restart
        pub.publish("t", 1, 2, "stored");
        assertThat(pub.expect(MqttMessageType.PUBACK).reasonCode()).isLessThan(0x80);
    }

    @Test
    void anMqtt311PublisherIsDisconnectedRatherThanAcknowledged() {
        TestClient pub = client();
        pub.connect(MqttVersion.MQTT_3_1_1, "pub3", true);
        disk.full = true;
        pub.publish("t", 1, 1, "not stored");
        pub.expectClosed();
        assertThat(pub.received).noneMatch(p -> p.message().fixedHeader().messageType() == MqttMessageType.PUBACK);
    }
}
