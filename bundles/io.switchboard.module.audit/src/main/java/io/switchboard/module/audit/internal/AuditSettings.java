package io.switchboard.module.audit.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.function.Supplier;

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
     * Checks {@code config} and resolves its path against {@code home}.
     *
     * @throws IllegalArgumentException {@code "<attribute>: <problem>"} for the first bad value
     */
    static AuditSettings compile(AuditConfig config, Path home) {
        String path = read("path", config::path);
        if (path == null || path.isBlank()) {
            throw invalid("path", "must not be empty");
        }
        Path file;
        try {
            Path p = Path.of(path.trim());
            file = (p.isAbsolute() ? p : home.resolve(p)).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw invalid("path", "not a valid path: " + e.getMessage());
        }
        if (file.getFileName() == null) {
            throw invalid("path", "names no file: '" + path + "'");
        }
        long maxFileSize = read("max.file.size", config::max_file_size);
        if (maxFileSize < 1) {
            throw invalid("max.file.size", "must be at least 1 byte, got " + maxFileSize);
        }
        int maxFiles = read("max.files", config::max_files);
        if (maxFiles < 0 || maxFiles > 1000) {
            throw invalid("max.files", "must be 0..1000, got " + maxFiles);
        }
        int queueSize = read("queue.size", config::queue_size);
        if (queueSize < 1 || queueSize > 10_000_000) {
            throw invalid("queue.size", "must be 1..10000000, got " + queueSize);
        }
        int maxPayloadBytes = read("max.payload.bytes", config::max_payload_bytes);
        if (maxPayloadBytes < 0) {
            throw invalid("max.payload.bytes", "must be 0 or more, got " + maxPayloadBytes);
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

    private static <T> T read(String attribute, Supplier<T> value) {
        try {
            return value.get();
        } catch (RuntimeException e) {
            throw invalid(attribute, "cannot be read: " + e.getMessage());
        }
    }

    private static IllegalArgumentException invalid(String attribute, String problem) {
        return new IllegalArgumentException(attribute + ": " + problem);
    }
}
