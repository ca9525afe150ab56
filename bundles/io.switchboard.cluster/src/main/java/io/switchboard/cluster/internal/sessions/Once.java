package io.switchboard.cluster.internal.sessions;

import java.util.function.Supplier;

/** A record's bytes, made once though both the local store and the cluster's map take them. */
final class Once implements Supplier<byte[]> {

    private Supplier<byte[]> maker;
    private byte[] value;

    Once(Supplier<byte[]> maker) {
        this.maker = maker;
    }

    @Override
    public synchronized byte[] get() {
        if (maker != null) {
            value = maker.get();
            maker = null;
        }
        return value;
    }
}
