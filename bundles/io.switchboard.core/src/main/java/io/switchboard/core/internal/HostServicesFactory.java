package io.switchboard.core.internal;

import io.switchboard.api.HostServices;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceRegistration;

/** Gives each bundle its own {@link HostServices}, so what a module does is attributed to it. */
final class HostServicesFactory implements ServiceFactory<HostServices> {

    private final BrokerCore core;

    HostServicesFactory(BrokerCore core) {
        this.core = core;
    }

    @Override
    public HostServices getService(Bundle bundle, ServiceRegistration<HostServices> registration) {
        return new HostServicesImpl(core, bundle);
    }

    @Override
    public void ungetService(Bundle bundle, ServiceRegistration<HostServices> registration, HostServices service) {
        // nothing held per bundle beyond the instance itself
    }
}
