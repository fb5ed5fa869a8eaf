package vn.onboardinghub.channels.jms;

import io.netty.channel.ChannelId;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.postoffice.Binding;
import org.apache.activemq.artemis.core.postoffice.Bindings;
import org.apache.activemq.artemis.core.postoffice.QueueBinding;
import org.apache.activemq.artemis.core.security.CheckType;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.ServerSession;
import org.apache.activemq.artemis.core.server.impl.ServerSessionImpl;
import org.apache.activemq.artemis.spi.core.protocol.RemotingConnection;
import org.apache.activemq.artemis.spi.core.security.ActiveMQSecurityManager4;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.apache.activemq.artemis.core.security.CheckType.BROWSE;
import static org.apache.activemq.artemis.core.security.CheckType.CONSUME;
import static org.apache.activemq.artemis.core.security.CheckType.CREATE_ADDRESS;
import static org.apache.activemq.artemis.core.security.CheckType.CREATE_NON_DURABLE_QUEUE;
import static org.apache.activemq.artemis.core.security.CheckType.DELETE_ADDRESS;
import static org.apache.activemq.artemis.core.security.CheckType.DELETE_NON_DURABLE_QUEUE;
import static org.apache.activemq.artemis.core.security.CheckType.SEND;

/**
 * Who may log in to the embedded broker, and what each may do: an allowlist per (login, permission, address); anything
 * not listed is refused, whatever the broker's security settings say. No anonymous or guest access.
 * <ul>
 * <li>the hub ({@code hub.broker.username}): send anywhere but the request queue (results to the reply-tos it
 *     checked), consume the request
 *     and dead-letter queues, browse the queues it owns, and the broker's management and notifications;</li>
 * <li>a bus login (the shared {@code hub.broker.client-username}, each {@code hub.bus.clients.<name>}): send to the
 *     request queue; consume and browse its own result queue (the shared one, or {@code <result-queue>.<name>}) and
 *     its own named reply queues; and keep temporary queues of its own: created only on an address nobody uses
 *     (no queue there yet, none of the hub's, no wildcard, not {@code activemq.*}), then consumed, browsed and deleted
 *     only from the connection that created them. Artemis itself lets any login with the permission consume a
 *     temporary queue, and the shared login is shared. That only temporary queues are created is checked by
 *     {@link BusBrokerPlugin} (the permission does not tell a temporary queue from a non-durable one).</li>
 * </ul>
 */
final class BrokerSecurity implements ActiveMQSecurityManager4 {
    private enum Kind { HUB, BUS }

    /** @param own the queues this login may consume and browse (a bus login's result and reply queues) */
    private record Account(byte[] passwordDigest, Kind kind, Set<String> own) {
    }

    private final Map<String, Account> accounts = new HashMap<>();
    private final String requests;
    private final String deadLetters;
    private final Set<String> hubQueues = new HashSet<>();
    private final Supplier<ActiveMQServer> server;

    /** @param server the running broker, to see which connection created a temporary queue */
    BrokerSecurity(BrokerLogins logins, BusClients clients, EmbeddedBroker.BusQueues queues, Supplier<ActiveMQServer> server) {
        this.requests = queues.requests();
        this.deadLetters = queues.deadLetters();
        this.server = server;
        hubQueues.addAll(queues.all());
        accounts.put(logins.hubUsername(), new Account(digest(logins.hubPassword()), Kind.HUB, Set.of()));
        accounts.put(logins.clientUsername(), new Account(digest(logins.clientPassword()), Kind.BUS, Set.of(queues.results())));
        for (BusClients.Client client : clients.all()) {
            Set<String> own = new HashSet<>(client.namedReplyQueues());
            own.add(queues.resultsOf(client.name()));
            hubQueues.addAll(own);
            accounts.put(client.name(), new Account(digest(client.password()), Kind.BUS, Set.copyOf(own)));
        }
    }

    /** The queues the hub creates for the bus (its own, and each bus client's result and named reply queues). */
    Set<String> hubQueues() {
        return Set.copyOf(hubQueues);
    }

    @Override
    public boolean validateUser(String user, String password) {
        return account(user, password) != null;
    }

    @Override
    public String validateUser(String user, String password, RemotingConnection connection, String securityDomain) {
        return account(user, password) != null ? user : null;
    }

    @Override
    public boolean validateUserAndRole(String user, String password, Set<Role> roles, CheckType checkType) {
        throw new UnsupportedOperationException("the broker calls the variant with the connection");
    }

    @Override
    public String validateUserAndRole(String user, String password, Set<Role> roles, CheckType checkType, String address,
                                      RemotingConnection connection, String securityDomain) {
        Account account = account(user, password);
        return account != null && address != null && allowed(account, checkType, address, connection) ? user : null;
    }

    private boolean allowed(Account account, CheckType checkType, String address, RemotingConnection connection) {
        boolean management = address.startsWith("activemq.");
        if (account.kind() == Kind.HUB) {
            return switch (checkType) {
                // results anywhere (to reply-tos it checked), never a request: a request is a bus client's
                case SEND -> !address.equals(requests);
                case CONSUME -> address.equals(requests) || address.equals(deadLetters) || management;
                case BROWSE -> hubQueues.contains(address) || management;
                case MANAGE, CREATE_ADDRESS, CREATE_NON_DURABLE_QUEUE, DELETE_NON_DURABLE_QUEUE -> management;
                default -> false;
            };
        }
        if (checkType == SEND) {
            return address.equals(requests);
        }
        if ((checkType == CONSUME || checkType == BROWSE) && account.own().contains(address)) {
            return true;
        }
        if (hubQueues.contains(address) || management || address.contains("#") || address.contains("*")) {
            return false;
        }
        return ownTemporaryQueue(checkType, address, connection);
    }

    /**
     * Outside the hub's queues: a temporary queue on an address nobody uses yet, then only the queues its own
     * connection created there.
     */
    private boolean ownTemporaryQueue(CheckType checkType, String address, RemotingConnection connection) {
        ActiveMQServer broker = server.get();
        SimpleString name = SimpleString.of(address);
        try {
            Set<SimpleString> queues = queuesOn(broker, name);
            if (checkType == CREATE_ADDRESS || checkType == CREATE_NON_DURABLE_QUEUE) {
                return queues.isEmpty();
            }
            // deleting its temporary queue removes the address afterwards, when no queue is left on it
            if (checkType == DELETE_ADDRESS && queues.isEmpty()) {
                return true;
            }
            if (checkType != CONSUME && checkType != BROWSE && checkType != DELETE_NON_DURABLE_QUEUE && checkType != DELETE_ADDRESS) {
                return false;
            }
            String id = connectionId(connection);
            return !queues.isEmpty() && queues.stream().allMatch(queue -> id.equals(creator(broker, queue)));
        } catch (Exception e) {
            return false;
        }
    }

    private static Set<SimpleString> queuesOn(ActiveMQServer broker, SimpleString address) throws Exception {
        Bindings bindings = broker.getPostOffice().lookupBindingsForAddress(address);
        return bindings == null ? Set.of() : bindings.getBindings().stream().filter(QueueBinding.class::isInstance)
                .map(Binding::getUniqueName).collect(Collectors.toSet());
    }

    /**
     * The id of the connection that created this temporary queue, or null: the broker keeps, per session, the
     * temporary queues it created (to delete them with their connection).
     */
    static String creator(ActiveMQServer broker, SimpleString queue) {
        for (ServerSession session : broker.getSessions()) {
            if (session instanceof ServerSessionImpl impl && impl.getTempQueueCleanUppers().containsKey(queue)) {
                return connectionId(session.getRemotingConnection());
            }
        }
        return null;
    }

    /** A connection's id as text: Netty's long form (unique on this broker), whatever the protocol. */
    static String connectionId(RemotingConnection connection) {
        Object id = connection.getID();
        return id instanceof ChannelId channel ? channel.asLongText() : String.valueOf(id);
    }

    private Account account(String user, String password) {
        Account account = user == null ? null : accounts.get(user);
        // digests of equal length, compared in constant time: the time taken tells nothing about the password
        byte[] given = digest(password == null ? "" : password);
        byte[] expected = account == null ? digest("\0no such user") : account.passwordDigest();
        boolean matches = MessageDigest.isEqual(given, expected);
        return account != null && password != null && matches ? account : null;
    }

    private static byte[] digest(String password) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
