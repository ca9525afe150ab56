package io.switchboard.cluster.internal.sessions;

import java.util.Set;

import com.hazelcast.partition.PartitioningStrategy;

/**
 * How the records of persistent sessions are named in the cluster's map {@value #RECORDS}: {@code space NUL key}, the
 * key being the front door's own ({@code clientId} or {@code clientId NUL ...}), and placed: every record of one
 * client id lives in the partition of that client id ({@link ByClientId}), so a node taking a session reads one
 * partition.
 */
final class RecordKeys {

    /** The map of session records: key {@code space NUL key}, value the record's bytes. */
    static final String RECORDS = "switchboard.session.records";
    /** The map of owners: client id to the name of the node holding its session. */
    static final String OWNERS = "switchboard.session.owners";
    /** The MQTT front door's spaces (its SessionJournal), the ones mirrored into {@value #RECORDS}. */
    static final Set<String> SPACES = Set.of("mqtt.sessions", "mqtt.queue", "mqtt.inbound");

    private static final char SEPARATOR = '\0';

    private RecordKeys() {
    }

    static String mapKey(String space, String key) {
        return space + SEPARATOR + key;
    }

    static String space(String mapKey) {
        return mapKey.substring(0, mapKey.indexOf(SEPARATOR));
    }

    static String recordKey(String mapKey) {
        return mapKey.substring(mapKey.indexOf(SEPARATOR) + 1);
    }

    /** The client id a record key (or key prefix) of a session belongs to: up to its first NUL. */
    static String clientId(String recordKey) {
        int end = recordKey.indexOf(SEPARATOR);
        return end < 0 ? recordKey : recordKey.substring(0, end);
    }

    /** The prefix of the keys of a client id's records other than its main one. */
    static String prefixOf(String clientId) {
        return clientId + SEPARATOR;
    }

    /** Places a record in its client id's partition (Hazelcast hashes the returned client id). */
    static final class ByClientId implements PartitioningStrategy<Object> {
        @Override
        public Object getPartitionKey(Object key) {
            return key instanceof String s && s.indexOf(SEPARATOR) >= 0 ? clientId(recordKey(s)) : key;
        }
    }
}
