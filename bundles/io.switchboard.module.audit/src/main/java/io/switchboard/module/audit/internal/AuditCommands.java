package io.switchboard.module.audit.internal;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The audit module's Gogo command, scope {@code audit}: present while the module is active. */
@Component(service = AuditCommands.class)
@GogoCommand(scope = "audit", function = {"stats"})
public class AuditCommands {

    private final AuditModule audit;

    /** Activated by DS once the audit module is. */
    @Activate
    public AuditCommands(@Reference AuditModule audit) {
        this.audit = audit;
    }

    /** {@code audit:stats}. */
    @Descriptor("lines written, waited for and dropped, and the file being written")
    public String stats() {
        AuditModule.AuditStats s = audit.stats();
        AuditQueue.Counts q = s.queue();
        AuditSettings settings = s.settings();
        String mode = settings.overflow() == AuditQueue.Overflow.WAIT
                ? "wait (lossless: publishers wait for room)" : "drop (sampling: lines are dropped when the queue is full)";
        return String.join("\n",
                "lines written    " + s.written() + " (in " + s.writes() + " writes)",
                "lines dropped    " + s.dropped() + (s.dropped() == 0 ? "" : "   ** THE AUDIT LOG IS INCOMPLETE **")
                        + " (messages, queue full: " + q.droppedMessages() + "; statuses/decisions beyond the allowance: "
                        + q.droppedObservations() + "; at shutdown: " + q.droppedClosed() + ")",
                "lines failed     " + s.failed() + (s.failed() == 0 ? "" : "   ** not in the file: see the log **"),
                "waited for room  " + q.waited() + " message lines (" + s.late() + " past the time budget of "
                        + settings.timeoutMillis() + " ms), " + q.waiting() + " waiting now",
                "queued now       " + s.queued() + " of " + s.capacity(),
                "overflow         " + mode,
                "events           " + settings.events().stream().sorted()
                        .map(e -> e.name().toLowerCase(java.util.Locale.ROOT)).toList(),
                "current file     " + s.file() + " (" + s.fileSize() + " bytes)",
                "rotations        " + s.rotations() + " (rotate at " + s.settings().maxFileSize() + " bytes, keep "
                        + s.settings().maxFiles() + ")");
    }
}
