package io.switchboard.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.event.Level;

import io.switchboard.api.HostServices;
import io.switchboard.api.HttpListener;
import io.switchboard.api.HttpRequest;
import io.switchboard.api.HttpResponse;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.Worker;

/**
 * A recording {@link HostServices} for unit tests: give it to the module under test
 * ({@code module.host = new FakeHost()}, or through its constructor) and look at what the module did.
 *
 * <ul>
 * <li>{@link #send}: recorded with an assigned id ({@link #sent()}, {@link #awaitSent}); {@link #refuseSends}
 * makes it throw, as the broker does past its hop limit.</li>
 * <li>{@link #http}: recorded ({@link #exchanges()}); answered by the newest matching script
 * ({@link #onHttp(String, HttpScript)}) or left pending for the test to answer
 * ({@link #awaitExchange}, {@link HttpExchange#respond}). Listener callbacks run in order on the fake's
 * HTTP thread, as the broker runs them on its own. Or, after {@link #httpThrough}, run on a real HTTP
 * implementation (the broker's own) against a local server ({@link FakeApiServer}).</li>
 * <li>{@link #logger()}: every level enabled, every line kept ({@link #logs(Level)}).</li>
 * <li>{@link #reportProblem}: recorded ({@link #problems()}, {@link #problem(MessageModule)}) and logged at ERROR.</li>
 * <li>{@link #isOnline}: what the test set with {@link #setOnline}.</li>
 * <li>{@link #currentWorker()}: the worker of the {@link ModuleProbe} call running on this thread, else
 * the one set with {@link #setCurrentWorker}, else {@code null} (as outside a callback).</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} stops its HTTP thread (a daemon thread, so forgetting it is harmless).
 */
public class FakeHost implements HostServices, AutoCloseable {

    private final String bundle;
    private final RecordingLogger logger;
    private final AtomicLong nextId = new AtomicLong(1);
    private final List<SentMessage> sent = new CopyOnWriteArrayList<>();
    private volatile Supplier<? extends RuntimeException> sendRefusal;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<HttpExchange> exchanges = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService httpThread;
    private RealHttp<?> realHttp; // guarded by this
    private final Set<String> online = ConcurrentHashMap.newKeySet();
    private final List<Problem> problems = Collections.synchronizedList(new ArrayList<>());
    private final ThreadLocal<Worker> callbackWorker = new ThreadLocal<>();
    private volatile Worker currentWorker;

    private record Rule(Predicate<HttpRequest> matcher, HttpScript script) {
    }

    /** A host for a module of bundle {@code test.module}. */
    public FakeHost() {
        this("test.module");
    }

    /**
     * A host for a module of bundle {@code bundleSymbolicName}: its logger is named
     * {@code switchboard.module.<bundleSymbolicName>} and its sends default to user
     * {@code module:<bundleSymbolicName>}, as the broker does.
     */
    public FakeHost(String bundleSymbolicName) {
        this.bundle = Objects.requireNonNull(bundleSymbolicName, "bundleSymbolicName");
        this.logger = new RecordingLogger("switchboard.module." + bundleSymbolicName);
        this.httpThread = Executors.newSingleThreadScheduledExecutor(daemonThreads("testkit-http-" + bundleSymbolicName));
    }

    private static ThreadFactory daemonThreads(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    // ------------------------------------------------------------------------------ send

    @Override
    public long send(Message message) {
        Objects.requireNonNull(message, "message");
        Supplier<? extends RuntimeException> refusal = sendRefusal;
        if (refusal != null) {
            throw refusal.get();
        }
        long id = nextId.getAndIncrement();
        Message.Builder stamped = message.toBuilder().id(id);
        if (message.from() == null) {
            stamped.from("module:" + bundle);
        }
        if (message.timestamp() == 0) {
            stamped.timestamp(System.currentTimeMillis());
        }
        sent.add(new SentMessage(id, stamped.build(), Thread.currentThread().getName()));
        return id;
    }

    /** Every message sent so far, oldest first. */
    public List<SentMessage> sent() {
        return List.copyOf(sent);
    }

    /** The messages sent so far to {@code topic}. */
    public List<SentMessage> sentTo(String topic) {
        return sent.stream().filter(s -> s.topic().equals(topic)).collect(Collectors.toList());
    }

    /** The last message sent; fails if none was. */
    public SentMessage lastSent() {
        List<SentMessage> all = sent();
        if (all.isEmpty()) {
            throw new org.opentest4j.AssertionFailedError("no message was sent");
        }
        return all.get(all.size() - 1);
    }

    /** Waits (bounded) until at least {@code count} messages were sent; returns all sent so far. */
    public List<SentMessage> awaitSent(int count, Duration timeout) {
        Waits.until(count + " sent message(s) (sent so far: " + sent.size() + ")", timeout, () -> sent.size() >= count);
        return sent();
    }

    /** The id the next {@link #send} returns (ids then count up). */
    public FakeHost nextSendId(long id) {
        nextId.set(id);
        return this;
    }

    /**
     * Makes every later {@link #send} throw what {@code refusal} supplies, e.g.
     * {@code () -> new IllegalStateException("hop limit")} as the broker does for loops; {@code null}
     * accepts sends again.
     */
    public FakeHost refuseSends(Supplier<? extends RuntimeException> refusal) {
        this.sendRefusal = refusal;
        return this;
    }

    // ------------------------------------------------------------------------------ http

    @Override
    public CompletionStage<HttpResponse> http(HttpRequest request, HttpListener listener) {
        Objects.requireNonNull(request, "request");
        RealHttp<?> real;
        synchronized (this) {
            real = realHttp;
        }
        if (real != null) {
            return real.exchange(request, listener);
        }
        HttpExchange exchange = new HttpExchange(request, listener, httpThread);
        exchanges.add(exchange);
        for (int i = rules.size() - 1; i >= 0; i--) {
            Rule rule = rules.get(i);
            if (rule.matcher().test(request)) {
                exchange.respond(rule.script());
                break;
            }
        }
        return exchange.response();
    }

    /** Answers every later request matching {@code matcher} with {@code script} (newest matching script wins). */
    public FakeHost onHttp(Predicate<HttpRequest> matcher, HttpScript script) {
        rules.add(new Rule(Objects.requireNonNull(matcher, "matcher"), Objects.requireNonNull(script, "script")));
        return this;
    }

    /** Answers every later request whose URI starts with {@code uriPrefix} with {@code script}. */
    public FakeHost onHttp(String uriPrefix, HttpScript script) {
        Objects.requireNonNull(uriPrefix, "uriPrefix");
        return onHttp(r -> r.uri().toString().startsWith(uriPrefix), script);
    }

    /** Answers every later request with {@code script} (more specific scripts added later still win). */
    public FakeHost onAnyHttp(HttpScript script) {
        return onHttp(r -> true, script);
    }

    /** Every exchange so far, oldest first. */
    public List<HttpExchange> exchanges() {
        return List.copyOf(exchanges);
    }

    /** The requests made so far, oldest first. */
    public List<HttpRequest> requests() {
        return exchanges.stream().map(HttpExchange::request).collect(Collectors.toList());
    }

    /** Waits (bounded) for the oldest exchange no script answered, to answer it. */
    public HttpExchange awaitExchange(Duration timeout) {
        Waits.until("an unanswered HTTP request (requests so far: " + requests() + ")", timeout,
                () -> exchanges.stream().anyMatch(HttpExchange::isPending));
        return exchanges.stream().filter(HttpExchange::isPending).findFirst().orElseThrow();
    }

    /**
     * Runs every later {@link #http} call on a real HTTP implementation instead of the scripts: real
     * connections, timeouts, retries and callbacks, against a local server ({@link FakeApiServer}).
     * {@code open} makes the implementation with the executors the host provides (listener callbacks
     * on two daemon threads, timeouts and pauses on another), {@code exchange} runs one request on it;
     * {@link #close()} closes it and stops those threads. For the broker's own implementation, on the
     * test class path with {@code io.switchboard.core} (test scope):
     *
     * <pre>{@code
     * FakeHost host = new FakeHost("com.acme.weather").httpThrough(HttpExchanger::new, HttpExchanger::exchange);
     * }</pre>
     *
     * <p>Those exchanges are not recorded here ({@link #exchanges()}, {@link #awaitExchange}): the server
     * sees the requests ({@link FakeApiServer#requests()}).
     *
     * @throws IllegalStateException if called twice
     */
    public synchronized <T extends AutoCloseable> FakeHost httpThrough(
            BiFunction<? super Executor, ? super ScheduledExecutorService, ? extends T> open,
            RealExchange<? super T> exchange) {
        Objects.requireNonNull(open, "open");
        Objects.requireNonNull(exchange, "exchange");
        if (realHttp != null) {
            throw new IllegalStateException("this host already runs HTTP on " + realHttp.transport);
        }
        ExecutorService callbacks = Executors.newFixedThreadPool(2, daemonThreads("testkit-http-callback-" + bundle));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("testkit-http-timer-" + bundle));
        realHttp = new RealHttp<T>(open.apply(callbacks, timer), exchange, callbacks, timer);
        return this;
    }

    /**
     * One request on the implementation {@link #httpThrough} opened, e.g. {@code HttpExchanger::exchange}.
     *
     * @param <T> the HTTP implementation
     */
    @FunctionalInterface
    public interface RealExchange<T> {
        /** Starts exchanging {@code request} on {@code transport}, as {@link HostServices#http} does. */
        CompletionStage<HttpResponse> exchange(T transport, HttpRequest request, HttpListener listener);
    }

    /** The real HTTP implementation of {@link #httpThrough} and the threads it runs on. */
    private record RealHttp<T extends AutoCloseable>(T transport, RealExchange<? super T> exchanger,
            ExecutorService callbacks, ScheduledExecutorService timer) {

        CompletionStage<HttpResponse> exchange(HttpRequest request, HttpListener listener) {
            return exchanger.exchange(transport, request, listener);
        }

        void close() {
            try {
                transport.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + transport + " failed", e);
            } finally {
                callbacks.shutdownNow();
                timer.shutdownNow();
            }
        }
    }

    // ------------------------------------------------------------------------------ presence

    @Override
    public boolean isOnline(String user) {
        return user != null && online.contains(user);
    }

    /** Sets whether {@code user} is online for {@link #isOnline}. */
    public FakeHost setOnline(String user, boolean isOnline) {
        if (isOnline) {
            online.add(user);
        } else {
            online.remove(user);
        }
        return this;
    }

    /** Sets {@code users} online. */
    public FakeHost online(String... users) {
        for (String user : users) {
            setOnline(user, true);
        }
        return this;
    }

    // ------------------------------------------------------------------------------ logging

    @Override
    public Logger logger() {
        return logger;
    }

    /** Every line logged so far through {@link #logger()}, oldest first. */
    public List<LogEntry> logs() {
        return List.copyOf(logger.entries());
    }

    /** The messages logged at {@code level}, oldest first. */
    public List<String> logs(Level level) {
        return logger.entries().stream().filter(e -> e.level() == level).map(LogEntry::message).collect(Collectors.toList());
    }

    /** Waits (bounded) for a line at {@code level} containing {@code text}; returns it. */
    public LogEntry awaitLog(Level level, String text, Duration timeout) {
        Predicate<LogEntry> match = e -> e.level() == level && e.message().contains(text);
        Waits.until("a " + level + " log line containing '" + text + "' (logged so far: " + logs() + ")", timeout,
                () -> logger.entries().stream().anyMatch(match));
        return logger.entries().stream().filter(match).findFirst().orElseThrow();
    }

    // ------------------------------------------------------------------------------ workers

    @Override
    public Worker currentWorker() {
        Worker w = callbackWorker.get();
        return w != null ? w : currentWorker;
    }

    /** What {@link #currentWorker()} returns outside {@link ModuleProbe} calls ({@code null} by default). */
    public FakeHost setCurrentWorker(Worker worker) {
        this.currentWorker = worker;
        return this;
    }

    /** Runs {@code call} with {@code worker} as this thread's current worker (how {@link ModuleProbe} calls back). */
    <T> T asWorker(Worker worker, Supplier<T> call) {
        if (worker == null) {
            return call.get();
        }
        Worker before = callbackWorker.get();
        callbackWorker.set(worker);
        try {
            return call.get();
        } finally {
            if (before == null) {
                callbackWorker.remove();
            } else {
                callbackWorker.set(before);
            }
        }
    }

    // ------------------------------------------------------------------------------ problems

    @Override
    public void reportProblem(MessageModule module, String problem) {
        Objects.requireNonNull(module, "module");
        if (problem != null) {
            logger.error("{}", problem);
        }
        problems.add(new Problem(module, problem));
    }

    /** Every problem reported so far, oldest first; {@code null} entries are clears. */
    public List<String> problems() {
        synchronized (problems) {
            List<String> texts = new ArrayList<>(problems.size());
            for (Problem p : problems) {
                texts.add(p.text());
            }
            return Collections.unmodifiableList(texts);
        }
    }

    /** Every {@link #reportProblem} call so far, oldest first. */
    public List<Problem> reportedProblems() {
        synchronized (problems) {
            return List.copyOf(problems);
        }
    }

    /** The problem {@code module} has now (the last reported), or {@code null} if none or cleared. */
    public String problem(MessageModule module) {
        synchronized (problems) {
            for (int i = problems.size() - 1; i >= 0; i--) {
                if (problems.get(i).module() == module) {
                    return problems.get(i).text();
                }
            }
            return null;
        }
    }

    /** The last problem reported by any module, or {@code null} if none or cleared. */
    public String lastProblem() {
        synchronized (problems) {
            return problems.isEmpty() ? null : problems.get(problems.size() - 1).text();
        }
    }

    // ------------------------------------------------------------------------------

    /**
     * Stops the HTTP thread; exchanges still playing are abandoned. Closes the real HTTP implementation
     * of {@link #httpThrough}, if any, and stops its threads.
     */
    @Override
    public void close() {
        httpThread.shutdownNow();
        RealHttp<?> real;
        synchronized (this) {
            real = realHttp;
        }
        if (real != null) {
            real.close();
        }
    }

    @Override
    public String toString() {
        return "FakeHost[" + bundle + ": " + sent.size() + " sent, " + exchanges.size() + " http, "
                + logger.entries().size() + " log lines, " + problems.size() + " problems]";
    }
}
