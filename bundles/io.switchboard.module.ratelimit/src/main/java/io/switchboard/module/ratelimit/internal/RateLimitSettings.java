package io.switchboard.module.ratelimit.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.switchboard.api.ConfigReader;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.TopicFilters;
import io.switchboard.api.Verdict;

/**
 * A checked {@link RateLimitConfig}: immutable, built once per configuration change by
 * {@link #compile}, the only place where configuration values are validated. The refusal verdicts are
 * made here too, so refusing a message allocates nothing.
 */
final class RateLimitSettings {

    /**
     * A topic rule: messages on topics matching {@code filter} share {@code bucket}; over the limit they
     * get {@code refusal}.
     */
    record TopicRule(String filter, Limit limit, Bucket bucket, Verdict refusal) {
        @Override
        public String toString() {
            return filter + ":" + limit.text() + ":" + limit.burst();
        }
    }

    private final Limit clientLimit;
    private final Verdict clientRefusal;
    private final List<TopicRule> topicRules;
    private final Set<String> exemptUsers;
    private final int ranking;
    private final String name;

    private RateLimitSettings(Limit clientLimit, List<TopicRule> topicRules, Set<String> exemptUsers, int ranking,
            String name) {
        this.clientLimit = clientLimit;
        this.clientRefusal = clientLimit == null ? null
                : refusal("more than " + clientLimit.text() + " from this client");
        this.topicRules = topicRules;
        this.exemptUsers = exemptUsers;
        this.ranking = ranking;
        this.name = name;
    }

    /**
     * Reads and checks every attribute of {@code config} (whose component properties are
     * {@code properties}); the topic rules get full buckets at {@code now}.
     *
     * @throws IllegalArgumentException if a value is wrong; the message names the attribute, the value
     *         and what is expected, e.g. {@code "client.burst: 'abc' is not an integer from 0 to 1000000"}
     */
    static RateLimitSettings compile(Map<String, ?> properties, RateLimitConfig config, long now) {
        ConfigReader in = ConfigReader.of(properties);
        String clientRate = in.text("client.rate", config::client_rate);
        double perSecond = parse("client.rate", clientRate);
        long burst = in.longInteger("client.burst", config::client_burst, 0, Limit.MAX_BURST);
        Limit clientLimit = perSecond == 0 ? null
                : new Limit(perSecond, burst == 0 ? Limit.defaultBurst(perSecond) : burst, rateText(clientRate));
        List<TopicRule> rules = checkRules(in.list("topic.rules", config::topic_rules), now);
        Set<String> exempt = Set.copyOf(in.list("exempt.users", config::exempt_users));
        int ranking = in.integer("service.ranking", config::service_ranking, Integer.MIN_VALUE, Integer.MAX_VALUE);
        String name = in.text("switchboard.module.name", config::switchboard_module_name);
        return new RateLimitSettings(clientLimit, rules, exempt, ranking, name.isEmpty() ? RateLimitModule.BASE_NAME : name);
    }

    /**
     * These settings with the buckets of {@code previous}'s rules for the same filters, so that a
     * configuration change does not refill them.
     */
    RateLimitSettings keepingBucketsOf(RateLimitSettings previous) {
        if (previous == null) {
            return this;
        }
        Map<String, Bucket> old = new HashMap<>();
        previous.topicRules.forEach(r -> old.put(r.filter(), r.bucket()));
        List<TopicRule> rules = new ArrayList<>();
        for (TopicRule r : topicRules) {
            Bucket kept = old.get(r.filter());
            rules.add(kept == null ? r : new TopicRule(r.filter(), r.limit(), kept, r.refusal()));
        }
        return new RateLimitSettings(clientLimit, List.copyOf(rules), exemptUsers, ranking, name);
    }

    /** The per-client limit, or {@code null} if clients are not limited. */
    Limit clientLimit() {
        return clientLimit;
    }

    /** What a client over its limit gets. */
    Verdict clientRefusal() {
        return clientRefusal;
    }

    /** The first topic rule matching {@code topic}, or {@code null}; allocates nothing. */
    TopicRule ruleFor(String topic) {
        for (int i = 0; i < topicRules.size(); i++) {
            TopicRule rule = topicRules.get(i);
            if (TopicFilters.matches(rule.filter(), topic)) {
                return rule;
            }
        }
        return null;
    }

    List<TopicRule> topicRules() {
        return topicRules;
    }

    /** Whether {@code user}'s messages are never limited. */
    boolean exempt(String user) {
        return user != null && exemptUsers.contains(user);
    }

    int ranking() {
        return ranking;
    }

    String name() {
        return name;
    }

    @Override
    public String toString() {
        return "clients " + (clientLimit == null ? "unlimited" : clientLimit) + ", topic rules " + topicRules
                + (exemptUsers.isEmpty() ? "" : ", exempt " + exemptUsers.size() + " user(s)") + ", ranking " + ranking;
    }

    // ---- validation: every message names the attribute first ----

    /**
     * {@code <filter>:<rate>[:<burst>]}. A filter may contain ':' itself: the entry is read as
     * filter, rate and burst if its last part is a whole number and the part before it a rate, else
     * as filter and rate.
     */
    private static List<TopicRule> checkRules(List<String> entries, long now) {
        List<TopicRule> rules = new ArrayList<>();
        for (String entry : entries) {
            int last = entry.lastIndexOf(':');
            if (last <= 0) {
                throw ConfigReader.invalid("topic.rules", "'" + entry + "' is not <topic filter>:<rate>[:<burst>] (e.g. sensors/#:100/s)");
            }
            String filter = entry.substring(0, last).trim();
            String rate = entry.substring(last + 1).trim();
            long burst = 0;
            int before = entry.lastIndexOf(':', last - 1);
            if (before > 0 && rate.matches("\\d+") && isRate(entry.substring(before + 1, last).trim())) {
                filter = entry.substring(0, before).trim();
                burst = Long.parseLong(rate);
                rate = entry.substring(before + 1, last).trim();
                if (burst < 1 || burst > Limit.MAX_BURST) {
                    throw ConfigReader.invalid("topic.rules", "'" + entry + "': the burst must be between 1 and " + Limit.MAX_BURST);
                }
            }
            String problem = TopicFilters.problem(filter);
            if (problem != null) {
                throw ConfigReader.invalid("topic.rules", "'" + entry + "': '" + filter + "' is not a valid MQTT topic filter: " + problem);
            }
            double perSecond;
            try {
                perSecond = Limit.parseRate(rate);
            } catch (IllegalArgumentException e) {
                throw ConfigReader.invalid("topic.rules", "'" + entry + "': " + e.getMessage());
            }
            if (perSecond == 0) {
                throw ConfigReader.invalid("topic.rules", "'" + entry + "': the rate must be more than 0");
            }
            Limit limit = new Limit(perSecond, burst == 0 ? Limit.defaultBurst(perSecond) : burst, rateText(rate));
            rules.add(new TopicRule(filter, limit, new Bucket(limit, now), refusal("more than " + limit.text() + " on " + filter)));
        }
        return List.copyOf(rules);
    }

    private static boolean isRate(String text) {
        try {
            Limit.parseRate(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static double parse(String attribute, String rate) {
        try {
            return Limit.parseRate(rate);
        } catch (IllegalArgumentException e) {
            throw ConfigReader.invalid(attribute, e.getMessage());
        }
    }

    /** {@code 100} reads as {@code 100/s}; a rate with a unit is shown as written. */
    private static String rateText(String rate) {
        String trimmed = rate.trim().replace(" ", "");
        return trimmed.contains("/") ? trimmed : trimmed + "/s";
    }

    /**
     * MQTT 5 PUBACK 0x97 "quota exceeded": an MQTT 5 publisher learns that it was rate limited; the
     * reason string says which limit.
     */
    private static Verdict refusal(String why) {
        return Verdict.consume(ReasonCode.QUOTA_EXCEEDED, "rate limit: " + why);
    }
}
