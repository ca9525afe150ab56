package io.switchboard.cluster.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * This node's cluster configuration, checked: each bad value is refused with an {@link IllegalArgumentException}
 * naming its property, so that an operator's typo stops the cluster with a clear log line instead of a node
 * joining the wrong members.
 */
record ClusterSettings(String nodeName, List<String> members, String host, int port, int backupCount, String clusterName) {

    static final String DEFAULT_HOST = "127.0.0.1";
    static final String DEFAULT_CLUSTER_NAME = "switchboard";
    /** Hazelcast keeps at most 6 backups of partitioned data. */
    static final int MAX_BACKUPS = 6;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern MEMBER = Pattern.compile("[A-Za-z0-9.\\-\\[\\]:]+:\\d{1,5}");

    /** Reads the configuration's properties (text, as FileInstall and the console give them). */
    static ClusterSettings of(Map<String, ?> properties) {
        String nodeName = text(properties, "node.name", null);
        if (nodeName == null) {
            throw new IllegalArgumentException("node.name is missing: each node needs a name unique in the cluster");
        }
        if (!NAME.matcher(nodeName).matches()) {
            throw new IllegalArgumentException("node.name '" + nodeName
                    + "' is not a node name: 1 to 64 letters, digits, '.', '_' or '-'");
        }
        List<String> members = list(properties.get("members"));
        if (members.isEmpty()) {
            throw new IllegalArgumentException("members is missing: give the host:port of the members to join, "
                    + "comma-separated (this node's own may be among them)");
        }
        for (String member : members) {
            if (!MEMBER.matcher(member).matches() || port(member.substring(member.lastIndexOf(':') + 1)) < 0) {
                throw new IllegalArgumentException("members: '" + member + "' is not host:port (port 1-65535)");
            }
        }
        String host = text(properties, "host", DEFAULT_HOST);
        int port = port(text(properties, "port", "5701"));
        if (port < 0) {
            throw new IllegalArgumentException("port '" + properties.get("port") + "' is not a port number (1-65535)");
        }
        String backups = text(properties, "backup.count", "1");
        int backupCount;
        try {
            backupCount = Integer.parseInt(backups);
        } catch (NumberFormatException e) {
            backupCount = -1;
        }
        if (backupCount < 0 || backupCount > MAX_BACKUPS) {
            throw new IllegalArgumentException("backup.count '" + backups + "' is not a number from 0 to " + MAX_BACKUPS);
        }
        String clusterName = text(properties, "cluster.name", DEFAULT_CLUSTER_NAME);
        if (!NAME.matcher(clusterName).matches()) {
            throw new IllegalArgumentException("cluster.name '" + clusterName
                    + "' is not a cluster name: 1 to 64 letters, digits, '.', '_' or '-'");
        }
        return new ClusterSettings(nodeName, List.copyOf(members), host, port, backupCount, clusterName);
    }

    private static String text(Map<String, ?> properties, String key, String otherwise) {
        Object value = properties.get(key);
        String text = value == null ? "" : value.toString().trim();
        return text.isEmpty() ? otherwise : text;
    }

    /** The port in {@code text}, or -1 if it is not one. */
    private static int port(String text) {
        try {
            int port = Integer.parseInt(text.trim());
            return port >= 1 && port <= 65535 ? port : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A list property: an array or collection (console), or one comma-separated text (a .cfg file). */
    private static List<String> list(Object value) {
        List<String> items = new ArrayList<>();
        if (value instanceof String[] array) {
            for (String item : array) {
                split(item, items);
            }
        } else if (value instanceof Collection<?> collection) {
            for (Object item : collection) {
                split(String.valueOf(item), items);
            }
        } else if (value != null) {
            split(value.toString(), items);
        }
        return items;
    }

    private static void split(String text, List<String> into) {
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                into.add(part.trim());
            }
        }
    }
}
