package io.switchboard.module.audit.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.switchboard.api.ConfigReader;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.TopicFilters;
import io.switchboard.module.audit.internal.AuditQueue.Overflow;

/**
 * Checked, resolved audit settings: built once per configuration change, never per message.
 *
 * @param file the audit file, absolute
 * @param maxFileSize rotate before a line would take the file past this many bytes
 * @param maxFiles rotated files kept
 * @param queueSize capacity of the line queue
 * @param maxPayloadBytes payload bytes written per line; 0 for none
 * @param events the kinds of lines written
 * @param overflow what a message line does when the queue is full
 * @param timeoutMillis the module's time budget ({@code switchboard.module.timeout}): how long the core lets a
 *        publisher wait for its line before it passes the message anyway (the line is still written)
 */
record AuditSettings(Path file, long maxFileSize, int maxFiles, int queueSize, int maxPayloadBytes, Set<Event> events,
        Overflow overflow, long timeoutMillis) {

    /** The kinds of lines, as named in {@code events}. */
    enum Event {
        /** One line per published message. */
        MESSAGE,
        /** One line per decision a module made with a reason (logins, subscriptions, refused messages). */
        DECISION,
        /** One line per message status change: SENT, DELIVERED (per recipient), READ, EXPIRED, FAILED. */
        STATUS
    }

    /** The settings with {@code events} instead (tests). */
    AuditSettings withEvents(Set<Event> newEvents) {
        return new AuditSettings(file, maxFileSize, maxFiles, queueSize, maxPayloadBytes, Set.copyOf(newEvents), overflow,
                timeoutMillis);
    }

    /**
     * Reads and checks every attribute of {@code config} (whose component properties are
     * {@code properties}) and resolves its path against {@code home}.
     *
     * @throws IllegalArgumentException {@code "<attribute>: <problem>"} for the first bad value, naming the
     *         value and what is expected, e.g. {@code "max.files: 'abc' is not an integer from 0 to 1000"}
     */
    static AuditSettings compile(Map<String, ?> properties, AuditConfig config, Path home) {
        ConfigReader in = ConfigReader.of(properties);
        String path = in.text("path", config::path);
        if (path.isEmpty()) {
            throw ConfigReader.invalid("path", "is required: the audit file");
        }
        Path file;
        try {
            Path p = Path.of(path);
            file = (p.isAbsolute() ? p : home.resolve(p)).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw ConfigReader.invalid("path", "'" + path + "' is not a valid path: " + e.getMessage());
        }
        if (file.getFileName() == null) {
            throw ConfigReader.invalid("path", "'" + path + "' names no file");
        }
        long maxFileSize = in.longInteger("max.file.size", config::max_file_size, 1, Long.MAX_VALUE);
        int maxFiles = in.integer("max.files", config::max_files, 0, 1000);
        int queueSize = in.integer("queue.size", config::queue_size, 1, 10_000_000);
        int maxPayloadBytes = in.integer("max.payload.bytes", config::max_payload_bytes, 0, Integer.MAX_VALUE);
        Set<Event> events = EnumSet.noneOf(Event.class);
        for (String event : in.list("events", config::events)) {
            try {
                events.add(Event.valueOf(event.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw ConfigReader.invalid("events", "'" + event + "' is not one of message, decision, status");
            }
        }
        if (events.isEmpty()) {
            throw ConfigReader.invalid("events", "is required: one or more of message, decision, status "
                    + "(to audit nothing, remove the configuration)");
        }
        Overflow overflow;
        String o = in.text("overflow", config::overflow);
        try {
            overflow = Overflow.valueOf(o.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ConfigReader.invalid("overflow", "'" + o + "' is not wait or drop");
        }
        // the core's time budget for the module (it reads the service property itself); here only to tell
        // operators when publishers waited longer than it, i.e. when back-pressure gave way
        long timeoutMillis = in.longInteger(ModuleProperties.TIMEOUT, config::switchboard_module_timeout, 1, Long.MAX_VALUE);
        // the broker reads these from the service properties; checked here so that a bad one is refused too
        in.integer("service.ranking", config::service_ranking, Integer.MIN_VALUE, Integer.MAX_VALUE);
        for (String topic : in.list("switchboard.module.topics", config::switchboard_module_topics)) {
            String problem = TopicFilters.problem(topic);
            if (problem != null) {
                throw ConfigReader.invalid("switchboard.module.topics",
                        "'" + topic + "' is not a valid MQTT topic filter: " + problem);
            }
        }
        return new AuditSettings(file, maxFileSize, maxFiles, queueSize, maxPayloadBytes, Set.copyOf(events), overflow,
                timeoutMillis);
    }

    /** The path of rotated file {@code index} (1 = newest). */
    Path rotated(int index) {
        return file.resolveSibling(file.getFileName() + "." + index);
    }

    @Override
    public String toString() {
        return file + ", rotated at " + maxFileSize + " bytes, " + maxFiles + " kept, queue " + queueSize
                + " (" + overflow.name().toLowerCase(Locale.ROOT) + " when full), payload "
                + (maxPayloadBytes == 0 ? "omitted" : "up to " + maxPayloadBytes + " bytes") + ", events "
                + events.stream().sorted().map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
    }
}
