package io.switchboard.api.admin;

import java.util.List;

import io.switchboard.api.Message;
import org.osgi.annotation.versioning.ProviderType;

/** The running broker as an operator sees it. Registered as a service by the core. */
@ProviderType
public interface BrokerAdmin {

    /** Every module: those in the chain in chain order, then those installed but not active. */
    List<ModuleInfo> modules();

    /** The modules that handle {@code event}, in the order they are called. */
    List<ModuleInfo> chain(ChainEvent event);

    /**
     * Runs {@code message} through the inbound chain as a dry run: the chain runs as for a publish, on a
     * worker, with the modules' time budgets and failure policies (a module that throws, blocks or is late
     * gets its policy), so the steps end as a publish of the message would; asynchronous decisions are
     * awaited up to each module's budget. Nothing is routed and no broker or module counter changes.
     * Modules see a sender session whose {@link io.switchboard.api.Session#protocol() protocol} is
     * {@code trace}, so a module keeping its own state (a rate limiter's buckets) can leave traces out.
     */
    List<TraceStep> trace(Message message);

    /**
     * Takes a module out of the chain ({@code false}) or puts it back ({@code true}) without touching
     * its bundle.
     *
     * @throws IllegalArgumentException if no module has that name
     */
    void setEnabled(String moduleName, boolean enabled);

    /**
     * The client sessions the core holds, online and offline, sorted by client id (since 1.1). In-process
     * sessions of modules and traces are not listed.
     *
     * @param search a case-insensitive text a session's client id, user, protocol, listener, remote address or one
     *        of its topic filters must contain; {@code null} or blank for every session
     * @param limit the most sessions returned, at least 1
     * @return at most {@code limit} sessions, those whose client ids sort first
     * @throws IllegalArgumentException if {@code limit} is less than 1
     */
    List<SessionInfo> sessions(String search, int limit);

    /** The broker's counters. */
    BrokerStats stats();

    /**
     * Which message id generator is in use: the {@link io.switchboard.api.MessageIdGenerator} service
     * that won (its bundle, service id and ranking), or the broker's built-in one.
     */
    String messageIdGenerator();
}
