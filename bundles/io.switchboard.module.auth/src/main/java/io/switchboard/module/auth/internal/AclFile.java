package io.switchboard.module.auth.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.switchboard.api.Admission;
import io.switchboard.api.TopicFilters;
import io.switchboard.api.Verdict;

/**
 * An ACL file in Mosquitto's format:
 * <pre>
 * topic [read|write|readwrite|deny] &lt;filter&gt;    before any user line: for anonymous clients
 * user &lt;name&gt;                                   the topic lines after it are that user's
 * pattern [read|write|readwrite|deny] &lt;filter&gt;  for every client; %u is its user, %c its client id
 * </pre>
 * The access defaults to {@code readwrite} (a filter with a space needs the access word before it). As in Mosquitto, a matching {@code deny} wins over any
 * grant, and what no line grants is refused. A pattern whose {@code %u} or {@code %c} would put a
 * {@code +}, {@code #} or {@code /} into the filter does not apply (a client must not choose its own
 * wildcard). {@code read} covers subscribing and receiving, {@code write} publishing.
 */
final class AclFile {

    enum Access { READ, WRITE, READWRITE, DENY }

    /**
     * One line's rule, as written; a pattern's %u and %c are filled in per client when it is checked. It names
     * itself by file and line ({@code acl:12 topic deny foo/#}), and keeps the acceptances that give that name as
     * their reason, built once, so allowing a message allocates nothing.
     */
    static final class Rule {
        private final Access access;
        private final String filter;
        private final boolean pattern;
        private final int line;
        private final String text;
        private final Verdict passes;
        private final Admission admits;

        Rule(Access access, String filter, boolean pattern, int line, String fileName) {
            this.access = access;
            this.filter = filter;
            this.pattern = pattern;
            this.line = line;
            this.text = fileName + ":" + line + " " + (pattern ? "pattern " : "topic ") + access.name().toLowerCase(Locale.ROOT)
                    + " " + filter;
            this.passes = Verdict.pass(text);
            this.admits = Admission.accept(text);
        }

        Access access() {
            return access;
        }

        String filter() {
            return filter;
        }

        boolean pattern() {
            return pattern;
        }

        int line() {
            return line;
        }

        /** A message this rule allows: passed, naming the rule. */
        Verdict passes() {
            return passes;
        }

        /** A subscription this rule allows: accepted, naming the rule. */
        Admission admits() {
            return admits;
        }

        boolean grants(Access wanted) {
            return access == Access.READWRITE ? wanted != Access.DENY : access == wanted;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** A decision and the rule behind it (null when no rule granted), for logs and traces. */
    record Decision(boolean allowed, Rule rule) {
        String because() {
            return rule == null ? "no ACL rule grants it" : rule.toString();
        }
    }

    private final Path file;
    private final List<Rule> anonymous;
    private final Map<String, List<Rule>> byUser;
    private final List<Rule> patterns;

    private AclFile(Path file, List<Rule> anonymous, Map<String, List<Rule>> byUser, List<Rule> patterns) {
        this.file = file;
        this.anonymous = anonymous;
        this.byUser = byUser;
        this.patterns = patterns;
    }

    /** Reads {@code file}; a line that is not a rule fails the whole file, naming the line. */
    static AclFile read(Path file) throws AuthFileException {
        List<String> lines = AuthRules.lines(file);
        List<Rule> anonymous = new ArrayList<>();
        Map<String, List<Rule>> byUser = new HashMap<>();
        List<Rule> patterns = new ArrayList<>();
        List<Rule> current = anonymous;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("\\s+", 2);
            String rest = words.length > 1 ? words[1].strip() : "";
            switch (words[0]) {
                case "user" -> {
                    if (rest.isEmpty()) {
                        throw new AuthFileException(file, i + 1, "'user' needs a user name");
                    }
                    current = byUser.computeIfAbsent(rest, u -> new ArrayList<>());
                }
                case "topic" -> current.add(rule(file, i + 1, rest, false));
                case "pattern" -> patterns.add(rule(file, i + 1, rest, true));
                default -> throw new AuthFileException(file, i + 1,
                        "unknown keyword '" + words[0] + "' (expected topic, user or pattern)");
            }
        }
        byUser.replaceAll((user, rules) -> List.copyOf(rules));
        return new AclFile(file, List.copyOf(anonymous), Map.copyOf(byUser), List.copyOf(patterns));
    }

    private static Rule rule(Path file, int line, String text, boolean pattern) throws AuthFileException {
        Access access = Access.READWRITE;
        String filter = text;
        String[] words = text.split("\\s+", 2);
        if (words.length == 2) {
            try {
                access = Access.valueOf(words[0].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                // a misspelt access word would otherwise become part of the filter and grant nothing
                throw new AuthFileException(file, line, "unknown access '" + words[0]
                        + "' (expected read, write, readwrite or deny; a filter with a space needs the access word first)");
            }
            filter = words[1].strip();
        }
        if (filter.isEmpty()) {
            throw new AuthFileException(file, line, "a rule needs a topic filter");
        }
        String problem = TopicFilters.problem(pattern ? filter.replace("%u", "u").replace("%c", "c") : filter);
        if (problem != null) {
            throw new AuthFileException(file, line, "'" + filter + "' is not a valid topic filter: " + problem);
        }
        return new Rule(access, filter, pattern, line, file.getFileName().toString());
    }

    /** Whether the client may publish to {@code topic}. {@code user} is null for an anonymous client. */
    Decision write(String user, String clientId, String topic) {
        return decide(user, clientId, Access.WRITE, filter -> TopicFilters.matches(filter, topic));
    }

    /** Whether the client may receive a message published to {@code topic}. */
    Decision read(String user, String clientId, String topic) {
        return decide(user, clientId, Access.READ, filter -> TopicFilters.matches(filter, topic));
    }

    /**
     * Whether the client may subscribe to {@code topicFilter}: a read rule must cover every topic the
     * filter matches, and no deny rule may cover it all. Messages to topics inside it that a deny rule
     * matches are still held back one by one when delivered ({@link #read}).
     */
    Decision subscribe(String user, String clientId, String topicFilter) {
        return decide(user, clientId, Access.READ, filter -> covers(filter, topicFilter));
    }

    private interface FilterTest {
        boolean test(String aclFilter);
    }

    private Decision decide(String user, String clientId, Access wanted, FilterTest applies) {
        List<Rule> own = user == null ? anonymous : byUser.getOrDefault(user, List.of());
        Rule grant = null;
        for (List<Rule> rules : List.of(own, patterns)) {
            for (Rule r : rules) {
                String filter = r.pattern() ? fill(r.filter(), user, clientId) : r.filter();
                if (filter == null || !applies.test(filter)) {
                    continue;
                }
                if (r.access() == Access.DENY) {
                    return new Decision(false, r);
                }
                if (grant == null && r.grants(wanted)) {
                    grant = r;
                }
            }
        }
        return new Decision(grant != null, grant);
    }

    /** The pattern with {@code %u}/{@code %c} filled in, or null when it cannot apply to this client. */
    private static String fill(String pattern, String user, String clientId) {
        if (pattern.contains("%u") && (user == null || unsafe(user))) {
            return null;
        }
        if (pattern.contains("%c") && unsafe(clientId)) {
            return null;
        }
        return pattern.replace("%u", user == null ? "" : user).replace("%c", clientId);
    }

    private static boolean unsafe(String value) {
        return value.isEmpty() || value.indexOf('+') >= 0 || value.indexOf('#') >= 0 || value.indexOf('/') >= 0;
    }

    /** Whether every topic that {@code inner} matches is matched by {@code outer} (both valid filters). */
    static boolean covers(String outer, String inner) {
        String[] o = outer.split("/", -1);
        String[] in = inner.split("/", -1);
        if (inner.startsWith("$") != outer.startsWith("$") && !(o[0].equals(in[0]))) {
            return false; // a wildcard first level never reaches '$' topics
        }
        for (int i = 0; i < o.length; i++) {
            if (o[i].equals("#")) {
                return true;
            }
            if (i >= in.length) {
                return false;
            }
            if (in[i].equals("#")) {
                return false;
            }
            if (o[i].equals("+")) {
                continue;
            }
            if (in[i].equals("+") || !o[i].equals(in[i])) {
                return false;
            }
        }
        return o.length == in.length;
    }

    /** Users that have their own rules, and how many rules the file has, for logs. */
    @Override
    public String toString() {
        int rules = anonymous.size() + patterns.size() + byUser.values().stream().mapToInt(List::size).sum();
        return file + " (" + rules + " rule" + (rules == 1 ? "" : "s") + ", " + byUser.size() + " user"
                + (byUser.size() == 1 ? "" : "s") + ")";
    }
}
