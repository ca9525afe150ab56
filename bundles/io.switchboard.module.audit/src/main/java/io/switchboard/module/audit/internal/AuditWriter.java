package io.switchboard.module.audit.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.slf4j.Logger;

import io.switchboard.api.Verdict;

/**
 * The audit module's own thread: takes the queued lines off the {@link AuditQueue} a batch at a time, formats
 * them into one reused buffer, appends the batch to the file in one write (or a few, around a rotation),
 * lets waiting message lines into the queue (their publishers go on), and reports lines dropped or failed.
 * Settings changes ({@link #apply}) take effect between two batches: the file is closed and the next line
 * opens the new one.
 *
 * <p>Why batches: the broker's threads only add small entries to a list; formatting and the system calls
 * happen here, one write per batch instead of a buffered stream flushed line by line, so the cost per line
 * is Jackson's formatting and a share of one write. Each batch reaches the operating system before the writer
 * takes the next one, so a line is in the file (page cache) at most one batch after it was queued.
 */
final class AuditWriter implements Runnable {

    /** How often dropped and failed lines are reported at most. */
    static final Duration WARN_INTERVAL = Duration.ofSeconds(10);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Bytes formatted before they are written: a large batch goes out in writes of about this size. */
    private static final int CHUNK = 256 * 1024;

    private final AuditQueue queue;
    private final Logger log;
    private final Consumer<String> problems;
    private final String name;
    private final AuditLines lines = new AuditLines(new LineBuffer(CHUNK + 16 * 1024));

    private volatile AuditSettings settings;
    private volatile boolean stopping;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong rotations = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private volatile Path currentFile;
    private volatile long currentSize;

    // writer thread only
    private AuditSettings open;
    private OutputStream out;
    private long droppedReported;
    private long failedReported;
    private long lateReported;
    private long lastWarn;
    private boolean failing;
    private Thread thread;

    /**
     * @param queue where the broker's threads put entries
     * @param problems told a problem in plain words while writing fails, and {@code null} when it works again
     */
    AuditWriter(String name, AuditQueue queue, AuditSettings settings, Logger log, Consumer<String> problems) {
        this.name = name;
        this.queue = queue;
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

    /** New settings, used from the next batch on. */
    void apply(AuditSettings newSettings) {
        this.settings = newSettings;
    }

    /**
     * Writes what is queued and waiting, closes the file and ends the thread, waiting up to {@code timeout}.
     *
     * @return whether the thread ended in time
     */
    boolean stop(Duration timeout) throws InterruptedException {
        stopping = true;
        queue.wake();
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

    /** Write system calls made (lines per write: how well batching works). */
    long writes() {
        return writes.get();
    }

    /** Message lines that waited longer than the module's time budget (the core passed their messages meanwhile). */
    long late() {
        return late.get();
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
        ArrayList<AuditEntry> spare = new ArrayList<>();
        List<AuditQueue.Waiting> released = new ArrayList<>();
        try {
            while (true) {
                ArrayList<AuditEntry> batch = queue.take(spare, released, POLL_NANOS, stopping);
                release(released);
                if (batch == null) {
                    break; // stopping, and every queued and waiting line is written
                }
                if (!batch.isEmpty()) {
                    write(batch);
                    batch.clear();
                } else if (open != null && settings != open) {
                    close(); // new settings while idle: let go of the old file now
                    open = null;
                    currentFile = null;
                    currentSize = 0;
                }
                spare = batch;
                reportIfDue(false);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            log.error("{}: the writer thread failed; no more lines are written", name, e);
            // from now on every line is dropped (counted): say so where operators look, until the module restarts
            problems.accept("the writer thread failed (" + e + "): no more lines are written; lines are dropped "
                    + "until the module restarts");
        } finally {
            close();
            // publishers still waiting go on (their lines are counted as dropped, and reported below)
            release(queue.close());
            reportIfDue(true);
        }
    }

    /** Lets the publishers of lines now queued go on. */
    private void release(List<AuditQueue.Waiting> waiting) {
        if (waiting.isEmpty()) {
            return;
        }
        long budget = TimeUnit.MILLISECONDS.toNanos(settings.timeoutMillis());
        long now = System.nanoTime();
        for (AuditQueue.Waiting w : waiting) {
            if (now - w.since() > budget) {
                late.incrementAndGet(); // its message passed on the core's time budget (FAIL_OPEN); the line is kept
            }
            w.decision().complete(Verdict.pass());
        }
        waiting.clear();
    }

    /** Formats the batch into the buffer and appends it to the file, rotating before a line that does not fit. */
    private void write(List<AuditEntry> batch) {
        AuditSettings s = settings;
        LineBuffer buffer = lines.buffer();
        int maxPayloadBytes = s.maxPayloadBytes();
        int buffered = 0; // lines in the buffer
        long accounted = 0; // lines of the batch written or failed
        try {
            if (s != open) {
                reopen(s);
            }
            for (AuditEntry entry : batch) {
                int mark = buffer.size();
                try {
                    lines.append(entry, maxPayloadBytes);
                } catch (RuntimeException e) {
                    failed.incrementAndGet();
                    accounted++;
                    log.warn("{}: cannot format {}", name, entry, e);
                    continue;
                }
                long before = currentSize + mark; // the file's size with the buffered lines before this one
                if (before > 0 && currentSize + buffer.size() > s.maxFileSize()) {
                    writeOut(mark, buffered);
                    accounted += buffered;
                    buffered = 0;
                    buffer.dropBefore(mark);
                    rotate(s);
                }
                buffered++;
                if (buffer.size() >= CHUNK) {
                    writeOut(buffer.size(), buffered);
                    accounted += buffered;
                    buffered = 0;
                    buffer.truncate(0);
                }
            }
            writeOut(buffer.size(), buffered);
            accounted += buffered;
            if (failing) {
                failing = false;
                log.info("{}: writing to {} again", name, s.file());
                problems.accept(null);
            }
        } catch (IOException | RuntimeException e) {
            failed.addAndGet(batch.size() - accounted);
            close();
            open = null; // try to open the file again for the next batch
            if (!failing) {
                failing = true;
                log.warn("{}: cannot write to {}: {}", name, s.file(), e.toString());
                problems.accept("path: cannot write to " + s.file() + ": " + e);
            }
        } finally {
            buffer.truncate(0);
            buffer.trim(CHUNK + 16 * 1024);
        }
    }

    /** Writes the buffer's first {@code length} bytes, holding {@code count} lines. */
    private void writeOut(int length, int count) throws IOException {
        if (count == 0) {
            return;
        }
        out.write(lines.buffer().array(), 0, length);
        writes.incrementAndGet();
        currentSize += length;
        written.addAndGet(count);
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
        // unbuffered: each write hands a whole batch (or a chunk of one) to the operating system
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
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

    /**
     * Logs lines dropped and failed since the last report, and message lines that waited past the module's time
     * budget, at most once per interval.
     */
    private void reportIfDue(boolean now) {
        long nanos = System.nanoTime();
        if (!now && nanos - lastWarn < WARN_INTERVAL.toNanos()) {
            return;
        }
        AuditQueue.Counts c = queue.counts();
        long d = c.dropped();
        long f = failed.get();
        long l = late.get();
        if (d > droppedReported) {
            log.warn("{}: dropped {} lines since the last report ({} in all: {} messages with overflow = drop, {} status "
                    + "or decision lines beyond the queue's allowance, {} at shutdown): THE AUDIT LOG IS INCOMPLETE",
                    name, d - droppedReported, d, c.droppedMessages(), c.droppedObservations(), c.droppedClosed());
        }
        if (f > failedReported) {
            log.warn("{}: {} lines could not be written since the last report ({} in all)", name, f - failedReported, f);
        }
        if (l > lateReported) {
            log.warn("{}: {} message lines waited longer than the module's time budget of {} ms since the last report "
                    + "({} in all): the broker passed their messages meanwhile; the lines were kept and written",
                    name, l - lateReported, settings.timeoutMillis(), l);
        }
        droppedReported = d;
        failedReported = f;
        lateReported = l;
        lastWarn = nanos;
    }
}
