package io.switchboard.shell.internal.remote;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a command line in a fresh Gogo session whose output is captured, as the console would:
 * what the command prints, then its result formatted by the session.
 */
final class GogoExecutor implements CommandExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(GogoExecutor.class);

    private final CommandProcessor processor;
    private final int maxOutputBytes;

    GogoExecutor(CommandProcessor processor, int maxOutputBytes) {
        this.processor = processor;
        this.maxOutputBytes = maxOutputBytes;
    }

    @Override
    public CommandResult execute(String commandLine) {
        BoundedBuffer out = new BoundedBuffer(maxOutputBytes);
        BoundedBuffer err = new BoundedBuffer(maxOutputBytes);
        PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        int status = CommandResult.SUCCESS;
        CommandSession session = processor.createSession(InputStream.nullInputStream(), outStream, errStream);
        try {
            Object result = session.execute(commandLine);
            if (result != null) {
                String text = String.valueOf(session.format(result, Converter.INSPECT));
                outStream.print(text.endsWith("\n") ? text : text + "\n");
            }
        } catch (Exception | LinkageError e) {
            LOG.debug("Shell channel command '{}' failed", commandLine, e);
            errStream.println(describe(e));
            status = CommandResult.FAILED;
        } finally {
            session.close();
            outStream.flush();
            errStream.flush();
        }
        return new CommandResult(status, out.text(), err.text());
    }

    /** The reason as the user should read it: the message, with the exception type unless it is plain. */
    static String describe(Throwable e) {
        String message = e.getMessage();
        String type = e.getClass().getSimpleName();
        if (message == null || message.isBlank()) {
            return type;
        }
        if (e instanceof IllegalArgumentException || type.equals("CommandNotFoundException")) {
            return message;
        }
        return type + ": " + message;
    }

    /** Keeps the first {@code max} bytes and notes that the rest was dropped. */
    static final class BoundedBuffer extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final int max;
        private boolean truncated;

        BoundedBuffer(int max) {
            this.max = max;
        }

        @Override
        public synchronized void write(int b) {
            if (bytes.size() < max) {
                bytes.write(b);
            } else {
                truncated = true;
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int room = Math.max(0, max - bytes.size());
            bytes.write(b, off, Math.min(room, len));
            truncated |= len > room;
        }

        synchronized String text() {
            String text = bytes.toString(StandardCharsets.UTF_8);
            return truncated ? text + "\n[output truncated at " + max + " bytes]\n" : text;
        }
    }
}
