package io.switchboard.core.internal.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.switchboard.api.MessageIdGenerator;
import io.switchboard.core.internal.modules.Ranking;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message id hook: the highest-ranked {@link MessageIdGenerator} service wins; without one (or
 * when it fails) the broker's own time-ordered counter numbers messages.
 */
public final class MessageIds {

    private static final Logger LOG = LoggerFactory.getLogger(MessageIds.class);

    private record Candidate(ServiceReference<MessageIdGenerator> ref, MessageIdGenerator generator, int ranking, long id) {
    }

    private static final Comparator<Candidate> ORDER = Comparator.comparingInt(Candidate::ranking).reversed()
            .thenComparingLong(Candidate::id);

    private final AtomicLong builtIn = new AtomicLong(System.currentTimeMillis() << 20);
    private final List<Candidate> candidates = new ArrayList<>();
    private volatile Candidate winner;

    public long next() {
        Candidate w = winner;
        if (w != null) {
            try {
                long id = w.generator().nextId();
                if (id != 0) {
                    return id;
                }
                LOG.warn("Message id generator {} returned 0; using the built-in id", describe(w));
            } catch (RuntimeException e) {
                LOG.warn("Message id generator {} failed; using the built-in id", describe(w), e);
            }
        }
        return builtIn.incrementAndGet();
    }

    /** The built-in ids of this run start above {@code id} (the highest recovered from the store). */
    public void startAbove(long id) {
        builtIn.accumulateAndGet(id, Math::max);
    }

    public synchronized void add(ServiceReference<MessageIdGenerator> ref, MessageIdGenerator generator) {
        candidates.add(new Candidate(ref, generator, ranking(ref), (Long) ref.getProperty(Constants.SERVICE_ID)));
        elect();
    }

    public synchronized void modified(ServiceReference<MessageIdGenerator> ref) {
        candidates.replaceAll(c -> c.ref().equals(ref) ? new Candidate(ref, c.generator(), ranking(ref), c.id()) : c);
        elect();
    }

    public synchronized void remove(ServiceReference<MessageIdGenerator> ref) {
        candidates.removeIf(c -> c.ref().equals(ref));
        elect();
    }

    /** The generator in use, in words. */
    public String describe() {
        Candidate w = winner;
        return w == null ? "built-in (time-ordered counter)" : describe(w);
    }

    private void elect() {
        Candidate before = winner;
        winner = candidates.stream().min(ORDER).orElse(null);
        if (before != winner) {
            LOG.info("Message ids now come from {}", describe());
        }
    }

    private static String describe(Candidate c) {
        return c.generator().getClass().getName() + " (service " + c.id() + " of " + c.ref().getBundle().getSymbolicName()
                + ", ranking " + c.ranking() + ")";
    }

    private static int ranking(ServiceReference<?> ref) {
        Integer ranking = Ranking.of(ref.getProperty(Constants.SERVICE_RANKING));
        return ranking == null ? 0 : ranking;
    }
}
