package io.switchboard.core.internal;

import io.switchboard.api.HostServices;
import io.switchboard.core.internal.http.HttpExchanger;
import io.switchboard.core.internal.modules.ModuleRegistry;
import io.switchboard.core.internal.routing.Router;
import io.switchboard.core.internal.sessions.Sessions;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceRegistration;

/** Gives each bundle its own {@link HostServices}, so what a module does is attributed to it. */
final class HostServicesFactory implements ServiceFactory<HostServices> {

    private final Router router;
    private final Sessions sessions;
    private final ModuleRegistry registry;
    private final HttpExchanger http;

    HostServicesFactory(Router router, Sessions sessions, ModuleRegistry registry, HttpExchanger http) {
        this.router = router;
        this.sessions = sessions;
        this.registry = registry;
        this.http = http;
    }

    @Override
    public HostServices getService(Bundle bundle, ServiceRegistration<HostServices> registration) {
        return new HostServicesImpl(router, sessions, registry, http, bundle);
    }

    @Override
    public void ungetService(Bundle bundle, ServiceRegistration<HostServices> registration, HostServices service) {
        // nothing held per bundle beyond the instance itself
    }
}
