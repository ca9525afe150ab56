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
    @Descriptor("lines written and dropped, and the file being written")
    public String stats() {
        AuditModule.AuditStats s = audit.stats();
        return String.join("\n",
                "lines written    " + s.written(),
                "lines dropped    " + s.dropped() + " (queue full)",
                "lines failed     " + s.failed(),
                "queued now       " + s.queued() + " of " + s.capacity(),
                "current file     " + s.file() + " (" + s.fileSize() + " bytes)",
                "rotations        " + s.rotations() + " (rotate at " + s.settings().maxFileSize() + " bytes, keep "
                        + s.settings().maxFiles() + ")");
    }
}
