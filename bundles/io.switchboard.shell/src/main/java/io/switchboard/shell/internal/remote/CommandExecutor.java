package io.switchboard.shell.internal.remote;

/** Runs one command line for the channel; never throws for a failing command (that is a result). */
@FunctionalInterface
interface CommandExecutor {
    CommandResult execute(String commandLine);
}
