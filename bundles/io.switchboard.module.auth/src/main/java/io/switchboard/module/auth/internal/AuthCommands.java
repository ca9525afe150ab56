package io.switchboard.module.auth.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import io.switchboard.api.MessageModule;

/**
 * The operator's command, scope {@code auth}: {@code auth:passwd <user> <password>} adds a user to the
 * configured password file or changes its password, hashed as {@code mosquitto_passwd} hashes it, so
 * no Mosquitto installation is needed and either tool can edit the file. It applies at once.
 */
@Component(service = AuthCommands.class)
@GogoCommand(scope = "auth", function = "passwd")
public class AuthCommands {

    private final SecureRandom random = new SecureRandom();

    /** The auth module of this bundle, when it is configured. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            target = "(component.name=" + AuthModule.PID + ")")
    volatile MessageModule module;

    @Descriptor("adds a user to the password file (password.file) or changes its password")
    public String passwd(@Descriptor("the user name") String user, @Descriptor("the new password") String password)
            throws IOException {
        // Gogo names the thread running a command after its command line, password included, and log lines
        // show thread names: the thread goes by the command's name alone while it runs
        Thread self = Thread.currentThread();
        String threadName = self.getName();
        self.setName("auth:passwd");
        try {
            return setPassword(user, password);
        } finally {
            self.setName(threadName);
        }
    }

    private String setPassword(String user, String password) throws IOException {
        if (!(module instanceof AuthModule auth)) {
            throw new IllegalStateException("the auth module is not running: check configadmin/" + AuthModule.PID + ".cfg");
        }
        AuthRules rules = auth.rules();
        if (!rules.checksPasswords()) {
            throw new IllegalStateException("no password file is configured: set password.file in configadmin/"
                    + AuthModule.PID + ".cfg");
        }
        boolean existed = rules.passwords().has(user);
        PasswordFile.setPassword(rules.passwordPath(), user, password.getBytes(StandardCharsets.UTF_8), random);
        auth.reload();
        return (existed ? "changed the password of '" : "added user '") + user + "' in " + rules.passwordPath();
    }
}
