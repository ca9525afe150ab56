package io.switchboard.launcher;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Properties;

/**
 * One broker per home: an exclusive OS file lock on {@code data/switchboard.lock}, taken before the
 * framework is created and held for the life of the process.
 *
 * <p>Why an OS lock rather than a pid file: the operating system releases the lock when the process
 * ends, however it ends (stop, crash, {@code kill -9}), so a lock file left behind never blocks a
 * restart and there is no stale pid to second-guess. The pid and start time written into the file
 * after locking only serve the message that names the running broker. The file is never deleted:
 * a second broker could otherwise lock a new file while the first still holds the old one.
 *
 * <p>The lock belongs to the process (POSIX {@code fcntl}): nothing else in it may open the file,
 * because closing any descriptor of the file may drop the lock. Acquire it once per process.
 */
final class InstanceLock implements AutoCloseable {

    /** The lock file's name, in {@code <switchboard.home>/data/}. */
    static final String FILE_NAME = "switchboard.lock";

    /** A holder that has just locked may not have written its pid yet: re-read its file this often, this far apart. */
    private static final int HOLDER_READ_ATTEMPTS = 20;
    private static final long HOLDER_READ_PAUSE_MS = 50;

    private final FileChannel channel;
    private final FileLock lock;

    private InstanceLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code file} (created if missing) and writes this process's pid and start time into it.
     *
     * @throws HeldException if another process (or this one, through another acquisition) holds it
     * @throws IOException if the file cannot be opened, locked or written
     */
    static InstanceLock acquire(Path file) throws IOException, HeldException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            channel.close(); // this JVM holds it already, through another channel
            throw new HeldException(file, new Holder(Long.toString(ProcessHandle.current().pid()), "earlier in this process"));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new HeldException(file, holder(file));
        }
        try {
            Holder me = new Holder(Long.toString(ProcessHandle.current().pid()),
                    // the formatter, not toString: toString drops ":00" when the start falls on a whole minute
                    DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS)));
            byte[] text = ("pid=" + me.pid() + "\nstarted=" + me.started() + "\n").getBytes(StandardCharsets.ISO_8859_1);
            channel.truncate(0);
            ByteBuffer buffer = ByteBuffer.wrap(text);
            while (buffer.hasRemaining()) {
                channel.write(buffer, buffer.position());
            }
            channel.force(false);
        } catch (IOException | RuntimeException e) {
            channel.close(); // releases the lock
            throw e;
        }
        return new InstanceLock(channel, lock);
    }

    /** Releases the lock (the file stays). A broker never calls this: its lock ends with the process. */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }

    /** What the holder wrote into the lock file; "unknown" parts if it has not (yet) written them. */
    static Holder holder(Path file) throws IOException {
        String text = "";
        for (int attempt = 0; attempt < HOLDER_READ_ATTEMPTS; attempt++) {
            try {
                text = Files.readString(file, StandardCharsets.ISO_8859_1);
            } catch (NoSuchFileException e) {
                text = "";
            }
            if (text.contains("\nstarted=")) {
                break; // written whole
            }
            try {
                Thread.sleep(HOLDER_READ_PAUSE_MS); // the holder has locked but not written yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        return new Holder(properties.getProperty("pid", "unknown"), properties.getProperty("started", "unknown"));
    }

    /** The process that holds the lock, as it described itself in the file. */
    record Holder(String pid, String started) {
        @Override
        public String toString() {
            return "pid " + pid + ", started " + started;
        }
    }

    /** The lock is held by another process, described by {@link #holder()}. */
    static final class HeldException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Holder holder;

        HeldException(Path file, Holder holder) {
            super(file + " is locked by " + holder);
            this.holder = holder;
        }

        Holder holder() {
            return holder;
        }
    }
}
