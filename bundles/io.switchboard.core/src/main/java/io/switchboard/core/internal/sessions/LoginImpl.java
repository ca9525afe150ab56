package io.switchboard.core.internal.sessions;

import io.switchboard.api.Connection;
import io.switchboard.api.Login;
import io.switchboard.api.broker.LoginRequest;

/** The login event built from a front door's request. */
record LoginImpl(LoginRequest request, boolean alreadyOnline) implements Login {

    @Override
    public Connection connection() {
        return request.connection();
    }

    @Override
    public String clientId() {
        return request.clientId();
    }

    @Override
    public String userName() {
        return request.userName();
    }

    @Override
    public byte[] password() {
        return request.password();
    }

    @Override
    public String protocol() {
        return request.protocol();
    }

    @Override
    public boolean cleanStart() {
        return request.cleanStart();
    }
}
