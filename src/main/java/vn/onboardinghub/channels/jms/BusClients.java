package vn.onboardinghub.channels.jms;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The bus systems with a broker login of their own: {@code hub.bus.clients.<name>.password} (user {@code <name>} on the
 * embedded broker) and {@code hub.bus.clients.<name>.reply-queues} (durable queues, by name or {@code PREFIX*}, it may
 * name as reply-to). Their onboardings belong to client {@code <name>}; the shared login's belong to {@value #SHARED}.
 */
final class BusClients {
    /** The client of the shared bus login (and, on an external broker, of any sender that is not a bus client). */
    static final String SHARED = "jms";
    private static final String PREFIX = "hub.bus.clients.";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    /** A queue name or prefix: no wildcard of the broker's address syntax, no FQQN, no control character. */
    private static final Pattern QUEUE = Pattern.compile("[^#*:\\p{Cntrl}\\s]+\\*?");

    /**
     * @param password    null on an external broker, whose own users apply
     * @param replyQueues names, or prefixes ending in {@code *}
     */
    record Client(String name, String password, List<String> replyQueues) {
        /** A durable queue this client may name as reply-to: one of its names, or a name under one of its prefixes. */
        boolean mayReplyTo(String queue) {
            for (String allowed : replyQueues) {
                if (allowed.endsWith("*") ? queue.startsWith(allowed.substring(0, allowed.length() - 1)) : queue.equals(allowed)) {
                    return true;
                }
            }
            return false;
        }

        /** The reply queues named in full (the embedded broker creates them). */
        List<String> namedReplyQueues() {
            return replyQueues.stream().filter(q -> !q.endsWith("*")).toList();
        }

        @Override
        public String toString() {
            return "BusClient[" + name + "]";
        }
    }

    private final Map<String, Client> clients;

    private BusClients(Map<String, Client> clients) {
        this.clients = clients;
    }

    Client get(String name) {
        return name == null ? null : clients.get(name);
    }

    Iterable<Client> all() {
        return clients.values();
    }

    /**
     * Reads the clients from every setting name under {@code hub.bus.clients.} ({@code setting}: a value, null when
     * unset or blank).
     *
     * @param reserved login names that cannot be a bus client's (the hub's own, the shared one)
     */
    static BusClients from(Set<String> settingNames, Function<String, String> setting, boolean embedded, Set<String> reserved) {
        Map<String, Map<String, String>> named = new LinkedHashMap<>();
        for (String key : new TreeSet<>(settingNames)) {
            if (key.startsWith(PREFIX)) {
                String rest = key.substring(PREFIX.length());
                int dot = rest.lastIndexOf('.');
                String value = setting.apply(key);
                if (dot > 0 && value != null) {
                    named.computeIfAbsent(rest.substring(0, dot), n -> new LinkedHashMap<>()).put(rest.substring(dot + 1), value);
                }
            }
        }
        Map<String, Client> clients = new LinkedHashMap<>();
        named.forEach((name, options) -> {
            if (!NAME.matcher(name).matches() || name.equals(SHARED) || name.equals("default") || name.startsWith("file")
                    || reserved.contains(name)) {
                throw new IllegalStateException("bus client name '" + name + "' (hub.bus.clients." + name + ".*) must be lower-case"
                        + " letters, digits, '-' or '_', and not 'jms', 'default', 'file…' or a login of the hub's (" + String.join(", ", reserved) + ")");
            }
            for (String option : options.keySet()) {
                if (!option.equals("password") && !option.equals("reply-queues")) {
                    throw new IllegalStateException("hub.bus.clients." + name + "." + option + " is not a setting: a bus client has"
                            + " .password and .reply-queues");
                }
            }
            String password = options.get("password");
            if (embedded && password == null) {
                throw new IllegalStateException("bus client '" + name + "' has no password: set hub.bus.clients." + name + ".password"
                        + " (its login to the embedded broker)");
            }
            List<String> replyQueues = options.get("reply-queues") == null ? List.of()
                    : Arrays.stream(options.get("reply-queues").split(",")).map(String::strip).filter(q -> !q.isEmpty()).toList();
            for (String queue : replyQueues) {
                if (!QUEUE.matcher(queue).matches() || queue.equals("*")) {
                    throw new IllegalStateException("hub.bus.clients." + name + ".reply-queues: '" + ReplyDestinations.printable(queue)
                            + "' must be a queue name, or a prefix ending in '*', without '#', ':' or any other '*'");
                }
            }
            clients.put(name, new Client(name, embedded ? password : null, replyQueues));
        });
        return new BusClients(Map.copyOf(clients));
    }
}
