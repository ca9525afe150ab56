package io.switchboard.observability.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Switchboard HTTP administration login",
        description = "Who may use the HTTP endpoints (metrics, console, modules' pages) on connections to an address "
                + "other than loopback. Users and passwords are checked by the broker's login chain: the auth module's "
                + "password file, or any authentication module.")
@interface AdminLoginConfig {

    @AttributeDefinition(name = "Administrators",
            description = "The users who may log in over HTTP from other machines (their passwords are the MQTT ones). "
                    + "Empty: nobody; the endpoints then answer only on loopback.")
    String[] admin_users() default {"admin"};

    @AttributeDefinition(name = "Open paths",
            description = "Paths served to anyone, without a login, e.g. health checks for a load balancer.")
    String[] open_paths() default {"/health/live", "/health/ready"};

    @AttributeDefinition(name = "Remember a login (seconds)",
            description = "How long a checked user name and password are taken as valid without asking the login chain "
                    + "again (each request carries them); 0 checks every request.", min = "0")
    int remember_seconds() default 60;

    @AttributeDefinition(name = "Failed logins before a block",
            description = "Refused logins in a row from one address (each within block.seconds of the one before) after "
                    + "which that address is turned away with 429 for block.seconds, without its passwords being checked; "
                    + "0: never.", min = "0")
    int max_failures() default 5;

    @AttributeDefinition(name = "Block (seconds)",
            description = "How long an address with max.failures refused logins in a row is turned away.", min = "1")
    int block_seconds() default 60;
}
