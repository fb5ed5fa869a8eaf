package vn.onboardinghub.channels.jms;

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
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Who may log in to the embedded broker, and what they may do. Two logins: the hub's own (role {@value #HUB_ROLE})
 * and the one shared by bus clients (role {@value #BUS_ROLE}); no anonymous or guest access. What each role may do
 * on an address comes from the broker's {@code security-settings} ({@link EmbeddedBroker}); on top of them, a bus
 * client only ever uses a queue of its own outside the hub's queues: it may create a temporary queue on a new
 * address, and consume, browse or delete it (and then its address) from the connection that created it. Artemis itself lets any login
 * with the permission consume a temporary queue, and all bus clients share one login.
 */
final class BrokerSecurity implements ActiveMQSecurityManager4 {
    static final String HUB_ROLE = "hub";
    static final String BUS_ROLE = "bus";

    private record Account(byte[] passwordDigest, String role) {
    }

    private final Map<String, Account> accounts;
    private final Set<String> hubQueues;
    private final Supplier<ActiveMQServer> server;

    /**
     * @param hubQueues the hub's own queues (requests, results, dead letters): there the security settings alone decide
     * @param server    the running broker, to see which connection created a temporary queue
     */
    BrokerSecurity(BrokerLogins logins, Set<String> hubQueues, Supplier<ActiveMQServer> server) {
        this.accounts = Map.of(
                logins.hubUsername(), new Account(digest(logins.hubPassword()), HUB_ROLE),
                logins.clientUsername(), new Account(digest(logins.clientPassword()), BUS_ROLE));
        this.hubQueues = Set.copyOf(hubQueues);
        this.server = server;
    }

    /** A role granting exactly the given permissions, for the broker's security settings. */
    static Role role(String name, CheckType... permissions) {
        Set<CheckType> allowed = permissions.length == 0 ? Set.of() : EnumSet.of(permissions[0], permissions);
        return new Role(name, allowed.contains(CheckType.SEND), allowed.contains(CheckType.CONSUME),
                allowed.contains(CheckType.CREATE_DURABLE_QUEUE), allowed.contains(CheckType.DELETE_DURABLE_QUEUE),
                allowed.contains(CheckType.CREATE_NON_DURABLE_QUEUE), allowed.contains(CheckType.DELETE_NON_DURABLE_QUEUE),
                allowed.contains(CheckType.MANAGE), allowed.contains(CheckType.BROWSE),
                allowed.contains(CheckType.CREATE_ADDRESS), allowed.contains(CheckType.DELETE_ADDRESS),
                allowed.contains(CheckType.VIEW), allowed.contains(CheckType.EDIT));
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
        if (account == null || roles.stream().noneMatch(r -> r.getName().equals(account.role()) && checkType.hasRole(r))) {
            return null;
        }
        if (account.role().equals(HUB_ROLE) || hubQueues.contains(address)) {
            return user;
        }
        return ownQueue(checkType, address, connection) ? user : null;
    }

    /**
     * A bus client outside the hub's queues: a temporary queue on an address nobody uses yet, then only the queues
     * its own connection created there.
     */
    private boolean ownQueue(CheckType checkType, String address, RemotingConnection connection) {
        ActiveMQServer broker = server.get();
        SimpleString name = SimpleString.of(address);
        try {
            Set<SimpleString> queues = queuesOn(broker, name);
            if (checkType == CheckType.CREATE_ADDRESS || checkType == CheckType.CREATE_NON_DURABLE_QUEUE) {
                return queues.isEmpty();
            }
            // deleting its temporary queue removes the address afterwards, when no queue is left on it
            if (checkType == CheckType.DELETE_ADDRESS && queues.isEmpty()) {
                return true;
            }
            return !queues.isEmpty() && queues.stream().allMatch(queue -> createdBy(broker, queue, connection));
        } catch (Exception e) {
            return false;
        }
    }

    private static Set<SimpleString> queuesOn(ActiveMQServer broker, SimpleString address) throws Exception {
        Bindings bindings = broker.getPostOffice().lookupBindingsForAddress(address);
        return bindings == null ? Set.of() : bindings.getBindings().stream().filter(QueueBinding.class::isInstance)
                .map(Binding::getUniqueName).collect(Collectors.toSet());
    }

    /** The broker keeps, per session, the temporary queues it created (to delete them with their connection). */
    private static boolean createdBy(ActiveMQServer broker, SimpleString queue, RemotingConnection connection) {
        for (ServerSession session : broker.getSessions()) {
            if (session instanceof ServerSessionImpl impl
                    && impl.getTempQueueCleanUppers().containsKey(queue)) {
                return Objects.equals(session.getRemotingConnection().getID(), connection.getID());
            }
        }
        return false;
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
