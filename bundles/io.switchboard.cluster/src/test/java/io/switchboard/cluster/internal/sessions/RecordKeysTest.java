package io.switchboard.cluster.internal.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecordKeysTest {

    private final RecordKeys.ByClientId strategy = new RecordKeys.ByClientId();

    @Test
    void everyRecordOfAClientIdHasTheClientIdAsItsPartitionKey() {
        assertThat(strategy.getPartitionKey(RecordKeys.mapKey("mqtt.sessions", "c@1"))).isEqualTo("c@1");
        assertThat(strategy.getPartitionKey(RecordKeys.mapKey("mqtt.queue", "c@1\u000000000000000000a1"))).isEqualTo("c@1");
        assertThat(strategy.getPartitionKey(RecordKeys.mapKey("mqtt.inbound", "c@1\u000017"))).isEqualTo("c@1");
    }

    @Test
    void aKeyIsTakenApartIntoSpaceKeyAndClientId() {
        String key = RecordKeys.mapKey("mqtt.queue", "c\u00007");
        assertThat(RecordKeys.space(key)).isEqualTo("mqtt.queue");
        assertThat(RecordKeys.recordKey(key)).isEqualTo("c\u00007");
        assertThat(RecordKeys.clientId(RecordKeys.recordKey(key))).isEqualTo("c");
        assertThat(RecordKeys.clientId(RecordKeys.prefixOf("c"))).isEqualTo("c");
    }
}
