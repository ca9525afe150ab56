package io.switchboard.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * One client connection of a load run: a non-blocking channel with a large read buffer (so one read
 * syscall picks up many packets) and a write buffer that collects many packets per write syscall.
 */
final class Connection {
    final String name;
    final SocketChannel channel;
    final SelectionKey key;
    final FrameParser parser = new FrameParser();
    ByteBuffer in;
    ByteBuffer out;
    boolean connected;
    boolean subscribed;
    boolean closed;
    /** Position of this connection among the run's publishers or subscribers (-1: not set). */
    int index = -1;
    /** Write syscalls made by {@link #flush()} (each {@code channel.write} that had data to write). */
    long writeCalls;
    private boolean writeInterest;

    private Connection(String name, SocketChannel channel, SelectionKey key, int readBuffer, int writeBuffer) {
        this.name = name;
        this.channel = channel;
        this.key = key;
        this.in = ByteBuffer.allocateDirect(readBuffer);
        this.out = ByteBuffer.allocateDirect(writeBuffer);
        key.attach(this);
    }

    /** Connects (blocking, bounded by the OS connect timeout on loopback: refused at once) then goes non-blocking. */
    static Connection open(String name, Selector selector, String host, int port, int readBuffer, int writeBuffer)
            throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true); // the generator batches itself
            channel.connect(new InetSocketAddress(host, port));
            channel.configureBlocking(false);
            SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            return new Connection(name, channel, key, readBuffer, writeBuffer);
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot connect " + name + " to " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    boolean hasPendingOutput() {
        return out.position() > 0;
    }

    /** Writes as much pending output as the socket takes; asks for OP_WRITE while some is left. */
    void flush() throws IOException {
        if (closed || out.position() == 0) {
            return;
        }
        out.flip();
        writeCalls++;
        channel.write(out);
        out.compact();
        boolean pending = out.position() > 0;
        if (pending != writeInterest) {
            writeInterest = pending;
            key.interestOps(pending ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }
    }

    /** Makes room for {@code bytes} more output: writes first, grows the buffer only if the socket is full. */
    void ensureOutput(int bytes) throws IOException {
        if (out.remaining() >= bytes) {
            return;
        }
        flush();
        if (out.remaining() < bytes) {
            ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(out.capacity() * 2, out.position() + bytes));
            out.flip();
            bigger.put(out);
            out = bigger;
        }
    }

    /** Reads into the read buffer (left in write mode); returns the bytes read or -1 at end of stream. */
    int read() throws IOException {
        if (!in.hasRemaining()) {
            grow(in.capacity() * 2);
        }
        return channel.read(in);
    }

    /** After packets were taken: keeps a partial packet, growing the buffer when it cannot fit. */
    void compactInput() {
        in.compact();
        int needed = parser.pendingPacketSize;
        if (needed > in.capacity()) {
            grow(needed);
        }
    }

    private void grow(int capacity) {
        ByteBuffer bigger = ByteBuffer.allocateDirect(capacity);
        in.flip();
        bigger.put(in);
        in = bigger;
    }

    /** Best effort: DISCONNECT if the socket takes it at once, then close. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (out.position() == 0) {
                channel.write(ByteBuffer.wrap(Mqtt.DISCONNECT_PACKET));
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
