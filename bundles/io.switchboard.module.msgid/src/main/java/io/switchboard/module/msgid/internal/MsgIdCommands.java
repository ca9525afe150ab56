package io.switchboard.module.msgid.internal;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo commands, scope {@code msgid}: make an id, read one. */
@Component(service = MsgIdCommands.class)
@GogoCommand(scope = "msgid", function = {"next", "decode"})
public class MsgIdCommands {

    private final SnowflakeIds ids;

    /** Activated by DS with the generator. */
    @Activate
    public MsgIdCommands(@Reference SnowflakeIds ids) {
        this.ids = ids;
    }

    /** {@code msgid:next}: a new id from this generator (whether or not the broker uses it now). */
    @Descriptor("makes a new id with this module's generator")
    public long next() {
        return ids.nextId();
    }

    /** {@code msgid:decode <id>}: when, where and in which order an id was made. */
    @Descriptor("shows an id's time, node and sequence")
    public String decode(@Descriptor("a message id, as sb:send or the audit log show it") long id) {
        IdLayout.Decoded d = IdLayout.decode(id);
        return String.join("\n",
                "id        " + d.id(),
                "time      " + d.time() + " (" + IdLayout.time(id) + " ms since " + IdLayout.EPOCH + ")",
                "node      " + d.node(),
                "sequence  " + d.sequence());
    }
}
