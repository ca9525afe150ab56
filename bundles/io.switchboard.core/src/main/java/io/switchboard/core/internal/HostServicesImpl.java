package io.switchboard.core.internal;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

import io.switchboard.api.HostServices;
import io.switchboard.api.HttpListener;
import io.switchboard.api.HttpRequest;
import io.switchboard.api.HttpResponse;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.Worker;
import io.switchboard.core.internal.http.HttpExchanger;
import io.switchboard.core.internal.modules.ModuleRegistry;
import io.switchboard.core.internal.routing.Router;
import io.switchboard.core.internal.sessions.SessionImpl;
import io.switchboard.core.internal.sessions.Sessions;
import io.switchboard.core.internal.workers.CoreContext;
import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The host services of one bundle. */
final class HostServicesImpl implements HostServices {

    private final Router router;
    private final Sessions sessions;
    private final ModuleRegistry registry;
    private final HttpExchanger http;
    private final Bundle bundle;
    private final Logger logger;
    private volatile SessionImpl senderSession;

    HostServicesImpl(Router router, Sessions sessions, ModuleRegistry registry, HttpExchanger http, Bundle bundle) {
        this.router = router;
        this.sessions = sessions;
        this.registry = registry;
        this.http = http;
        this.bundle = bundle;
        this.logger = LoggerFactory.getLogger("switchboard.module." + bundle.getSymbolicName());
    }

    @Override
    public long send(Message message) {
        Objects.requireNonNull(message, "message");
        return router.send(bundle, sender(), message);
    }

    /** One session per bundle keeps the order of the bundle's sent messages. */
    private SessionImpl sender() {
        SessionImpl s = senderSession;
        if (s == null) {
            synchronized (this) {
                s = senderSession;
                if (s == null) {
                    s = sessions.moduleSession(bundle);
                    senderSession = s;
                }
            }
        }
        return s;
    }

    @Override
    public CompletionStage<HttpResponse> http(HttpRequest request, HttpListener listener) {
        Objects.requireNonNull(request, "request");
        return http.exchange(request, listener == null ? HttpListener.NONE : listener);
    }

    @Override
    public boolean isOnline(String user) {
        return sessions.isOnline(user);
    }

    @Override
    public Logger logger() {
        return logger;
    }

    @Override
    public Worker currentWorker() {
        return CoreContext.worker();
    }

    @Override
    public void reportProblem(MessageModule module, String problem) {
        Objects.requireNonNull(module, "module");
        if (problem != null) {
            logger.error("{}", problem);
        }
        // a module not (yet) in the chain, e.g. while activating, has no entry: the log line is what remains
        registry.reportProblem(bundle, module, problem);
    }
}
