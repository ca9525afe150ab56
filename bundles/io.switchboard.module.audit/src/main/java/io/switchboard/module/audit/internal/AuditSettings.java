package io.switchboard.module.audit.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;

import io.switchboard.api.ConfigReader;
import io.switchboard.api.TopicFilters;

/**
 * Checked, resolved audit settings: built once per configuration change, never per message.
 *
 * @param file the audit file, absolute
 * @param maxFileSize rotate before a line would take the file past this many bytes
 * @param maxFiles rotated files kept
 * @param queueSize capacity of the line queue
 * @param maxPayloadBytes payload bytes written per line; 0 for none
 */
record AuditSettings(Path file, long maxFileSize, int maxFiles, int queueSize, int maxPayloadBytes) {

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
        // the broker reads these from the service properties; checked here so that a bad one is refused too
        in.integer("service.ranking", config::service_ranking, Integer.MIN_VALUE, Integer.MAX_VALUE);
        for (String topic : in.list("switchboard.module.topics", config::switchboard_module_topics)) {
            String problem = TopicFilters.problem(topic);
            if (problem != null) {
                throw ConfigReader.invalid("switchboard.module.topics",
                        "'" + topic + "' is not a valid MQTT topic filter: " + problem);
            }
        }
        return new AuditSettings(file, maxFileSize, maxFiles, queueSize, maxPayloadBytes);
    }

    /** The path of rotated file {@code index} (1 = newest). */
    Path rotated(int index) {
        return file.resolveSibling(file.getFileName() + "." + index);
    }

    @Override
    public String toString() {
        return file + ", rotated at " + maxFileSize + " bytes, " + maxFiles + " kept, queue " + queueSize
                + ", payload " + (maxPayloadBytes == 0 ? "omitted" : "up to " + maxPayloadBytes + " bytes");
    }
}
