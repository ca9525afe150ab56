package io.switchboard.module.audit.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.slf4j.Logger;

/**
 * The audit module's own thread: takes entries off the queue, formats them, appends them to the file,
 * rotates it, flushes whenever the queue runs empty, and reports what the broker's threads dropped.
 * Settings changes ({@link #apply}) take effect between two lines: the file is closed and the next
 * line opens the new one.
 */
final class AuditWriter implements Runnable {

    /** How often dropped and failed lines are reported at most. */
    static final Duration WARN_INTERVAL = Duration.ofSeconds(10);
    private static final long POLL_MILLIS = 100;
    private static final int MAX_BATCH = 1000;

    private final BlockingQueue<AuditEntry> queue;
    private final AtomicLong dropped;
    private final Logger log;
    private final Consumer<String> problems;
    private final String name;
    private final AuditLines lines = new AuditLines();

    private volatile AuditSettings settings;
    private volatile boolean stopping;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong rotations = new AtomicLong();
    private volatile Path currentFile;
    private volatile long currentSize;

    // writer thread only
    private AuditSettings open;
    private OutputStream out;
    private long droppedReported;
    private long failedReported;
    private long lastWarn;
    private boolean failing;
    private Thread thread;

    /**
     * @param queue where the broker's threads put entries
     * @param dropped the count of entries they could not put (the queue was full)
     * @param problems told a problem in plain words while writing fails, and {@code null} when it works again
     */
    AuditWriter(String name, BlockingQueue<AuditEntry> queue, AtomicLong dropped, AuditSettings settings, Logger log,
            Consumer<String> problems) {
        this.name = name;
        this.queue = queue;
        this.dropped = dropped;
        this.settings = settings;
        this.log = log;
        this.problems = problems;
    }

    /** Starts the thread. */
    synchronized void start() {
        thread = new Thread(this, "switchboard-audit-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** New settings, used from the next line on. */
    void apply(AuditSettings newSettings) {
        this.settings = newSettings;
    }

    /**
     * Writes what is queued, flushes, closes the file and ends the thread, waiting up to {@code timeout}.
     *
     * @return whether the thread ended in time
     */
    boolean stop(Duration timeout) throws InterruptedException {
        stopping = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null) {
            return true;
        }
        t.join(timeout.toMillis());
        return !t.isAlive();
    }

    long written() {
        return written.get();
    }

    long failed() {
        return failed.get();
    }

    long rotations() {
        return rotations.get();
    }

    /** The file being written (or about to be), and its size. */
    Path currentFile() {
        Path f = currentFile;
        return f != null ? f : settings.file();
    }

    long currentSize() {
        return currentSize;
    }

    @Override
    public void run() {
        lastWarn = System.nanoTime();
        try {
            while (true) {
                AuditEntry entry = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (entry != null) {
                    int batch = 0;
                    do {
                        write(entry);
                    } while (++batch < MAX_BATCH && (entry = queue.poll()) != null);
                    if (queue.isEmpty()) {
                        flush();
                    }
                } else if (stopping) {
                    break; // nothing left: stop() waits for every queued line
                } else if (open != null && settings != open) {
                    close(); // new settings while idle: let go of the old file now
                    open = null;
                    currentFile = null;
                    currentSize = 0;
                }
                reportIfDue(false);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            log.error("{}: the writer thread failed; no more lines are written", name, e);
        } finally {
            flush();
            close();
            reportIfDue(true);
        }
    }

    private void write(AuditEntry entry) {
        AuditSettings s = settings;
        byte[] line;
        try {
            line = (lines.format(entry, s.maxPayloadBytes()) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            log.warn("{}: cannot format {}", name, entry, e);
            return;
        }
        try {
            if (s != open) {
                reopen(s);
            }
            if (currentSize > 0 && currentSize + line.length > s.maxFileSize()) {
                rotate(s);
            }
            out.write(line);
            currentSize += line.length;
            written.incrementAndGet();
            if (failing) {
                failing = false;
                log.info("{}: writing to {} again", name, s.file());
                problems.accept(null);
            }
        } catch (IOException | RuntimeException e) {
            failed.incrementAndGet();
            close();
            open = null; // try to open the file again for the next line
            if (!failing) {
                failing = true;
                log.warn("{}: cannot write to {}: {}", name, s.file(), e.toString());
                problems.accept("path: cannot write to " + s.file() + ": " + e);
            }
        }
    }

    private void reopen(AuditSettings s) throws IOException {
        close();
        Path file = s.file();
        Path parent = file.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!Files.exists(file) && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            // who may read the log is the broker's user's business: others get nothing
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE), 64 * 1024);
        open = s;
        currentFile = file;
        currentSize = Files.size(file);
    }

    /** file -> file.1 -> file.2 ... -> file.N; older ones are deleted. */
    private void rotate(AuditSettings s) throws IOException {
        close();
        Path file = s.file();
        int keep = s.maxFiles();
        for (int i = keep + 1; Files.exists(s.rotated(i)); i++) {
            Files.delete(s.rotated(i)); // left over from a larger max.files
        }
        if (keep == 0) {
            Files.deleteIfExists(file);
        } else {
            Files.deleteIfExists(s.rotated(keep));
            for (int i = keep - 1; i >= 1; i--) {
                if (Files.exists(s.rotated(i))) {
                    Files.move(s.rotated(i), s.rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(file, s.rotated(1), StandardCopyOption.REPLACE_EXISTING);
        }
        rotations.incrementAndGet();
        reopen(s);
    }

    private void flush() {
        if (out == null) {
            return;
        }
        try {
            out.flush();
        } catch (IOException e) {
            log.warn("{}: cannot flush {}: {}", name, currentFile, e.toString());
            close();
            open = null;
        }
    }

    private void close() {
        if (out == null) {
            return;
        }
        try {
            out.close();
        } catch (IOException e) {
            log.warn("{}: cannot close {}: {}", name, currentFile, e.toString());
        }
        out = null;
    }

    /** Logs lines dropped (queue full) and failed since the last report, at most once per interval. */
    private void reportIfDue(boolean now) {
        long nanos = System.nanoTime();
        if (!now && nanos - lastWarn < WARN_INTERVAL.toNanos()) {
            return;
        }
        long d = dropped.get();
        long f = failed.get();
        if (d > droppedReported) {
            log.warn("{}: dropped {} lines since the last report (queue of {} full; {} dropped in all): "
                    + "the file system or this thread cannot keep up", name, d - droppedReported,
                    queue.remainingCapacity() + queue.size(), d);
        }
        if (f > failedReported) {
            log.warn("{}: {} lines could not be written since the last report ({} in all)", name, f - failedReported, f);
        }
        droppedReported = d;
        failedReported = f;
        lastWarn = nanos;
    }
}
