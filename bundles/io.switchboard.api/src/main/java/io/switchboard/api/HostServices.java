package io.switchboard.api;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;
import org.slf4j.Logger;

/**
 * What the broker offers modules. Get it injected ({@code @Reference HostServices host}); each bundle
 * gets its own instance, so what a module does through it is attributed to that module: its log lines
 * carry its name and the messages it sends are not handed back to it.
 */
@ProviderType
public interface HostServices {

    /**
     * Sends a message as any user: it enters the chain after the calling module (the sender does not
     * see its own message again) and is routed to subscribers like a published message. Messages sent
     * while handling a message sent by a module count as one hop more; past the broker's hop limit they
     * are refused with {@link IllegalStateException}, so two modules answering each other cannot loop.
     *
     * @param message the message; {@link Message#from()} names the user it is sent as
     * @return the broker-assigned id of the message; its statuses reach {@link MessageModule#onStatus}
     */
    long send(Message message);

    /**
     * Starts an HTTP request without blocking. {@code listener}'s callbacks report the response headers,
     * each body chunk with progress, and the end; they run on a broker thread, never on the caller's.
     *
     * @return completes with the whole response (its body holds what the listener did not consume, see
     *         {@link HttpRequest.Builder#streaming}), or exceptionally on failure after the retries
     */
    CompletionStage<HttpResponse> http(HttpRequest request, HttpListener listener);

    /** Like {@link #http(HttpRequest, HttpListener)} with no streaming callbacks. */
    default CompletionStage<HttpResponse> http(HttpRequest request) {
        return http(request, HttpListener.NONE);
    }

    /**
     * Whether {@code user} has a session whose client is connected now, on any node of the broker. Answers without
     * waiting: a user on this node is known at once; when several nodes form one broker, a user connected to another
     * node is known once that node's report reached this one (usually within milliseconds), and no longer once the
     * user disconnected there or that node left the cluster.
     */
    boolean isOnline(String user);

    /** A logger attributed to the calling module: its name is {@code switchboard.module.<bundle symbolic name>}. */
    Logger logger();

    /** The worker running the current callback, or {@code null} when not called from a module callback. */
    Worker currentWorker();

    /**
     * Tells operators that something is wrong with {@code module} while it keeps running, typically a
     * rejected configuration change while it goes on with its last good configuration. The problem is
     * logged under the module's name and shown by the shell ({@code sb:modules}) until cleared.
     *
     * @param module the module instance the problem is about (one of the calling bundle's modules)
     * @param problem the problem in plain words, naming the attribute at fault; {@code null} clears it
     */
    void reportProblem(MessageModule module, String problem);
}
