package io.switchboard.mqtt.internal.protocol;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A connection's read timeout: the connect timeout until CONNACK, then 1.5 times the keep alive. When nothing was
 * read for that long, {@link ConnectFlow#readerIdle} decides. Does what Netty's {@code IdleStateHandler} did for
 * reads, as one task on the event loop instead of a handler in the pipeline: less memory per idle connection, no
 * pipeline change at CONNACK, one handler less for every packet. Event loop only.
 */
final class ReadTimer implements Runnable {

    private final MqttConnectionHandler connection;
    /** 0: off. */
    private long timeoutNanos;
    private long lastRead;
    /** A packet arrived in the read burst going on (counted as a read when the burst completes). */
    private boolean reading;
    private ScheduledFuture<?> task;

    ReadTimer(MqttConnectionHandler connection) {
        this.connection = connection;
    }

    /** (Re)starts the timeout from now; {@code timeout} 0 stops it. Once the handler is in the pipeline. */
    void start(long timeout, TimeUnit unit) {
        stop();
        timeoutNanos = unit.toNanos(timeout);
        if (timeoutNanos > 0) {
            lastRead = System.nanoTime();
            schedule(timeoutNanos);
        }
    }

    /** A packet was read (cheap: the clock is read once per burst, in {@link #readComplete}). */
    void read() {
        reading = true;
    }

    /** The read burst ended. */
    void readComplete() {
        if (reading) {
            lastRead = System.nanoTime();
            reading = false;
        }
    }

    /** No more timeouts (the connection closed). */
    void stop() {
        timeoutNanos = 0;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    @Override
    public void run() {
        task = null;
        if (timeoutNanos == 0 || !connection.ctx().channel().isOpen()) {
            return;
        }
        long left = reading ? timeoutNanos : timeoutNanos - (System.nanoTime() - lastRead);
        if (left > 0) {
            schedule(left);
            return;
        }
        schedule(timeoutNanos); // as IdleStateHandler: idle again after another full timeout unless it closes now
        connection.connect().readerIdle();
    }

    private void schedule(long nanos) {
        task = connection.ctx().executor().schedule(this, nanos, TimeUnit.NANOSECONDS);
    }
}
