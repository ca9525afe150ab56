package io.switchboard.launcher;

import java.nio.file.Path;

/**
 * A child process for {@link InstanceLockTest}: takes the lock on {@code args[0]}, prints
 * {@code locked}, then holds it until it is killed (or its standard input ends).
 */
public final class InstanceLockHolder {

    private InstanceLockHolder() {
    }

    public static void main(String[] args) throws Exception {
        try (InstanceLock lock = InstanceLock.acquire(Path.of(args[0]))) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the lock
            }
        }
    }
}
