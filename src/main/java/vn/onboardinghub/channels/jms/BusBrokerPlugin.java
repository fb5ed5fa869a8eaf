package vn.onboardinghub.channels.jms;

import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.ActiveMQSecurityException;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.core.server.ServerSession;
import org.apache.activemq.artemis.core.server.plugin.ActiveMQServerMessagePlugin;
import org.apache.activemq.artemis.core.server.plugin.ActiveMQServerQueuePlugin;
import org.apache.activemq.artemis.core.transaction.Transaction;

/**
 * What the embedded broker's permissions cannot say:
 * <ul>
 * <li>each message a bus login sends (it may only send requests) is stamped with that login ({@value #SENDER_LOGIN})
 *     and the id of its connection ({@value #SENDER_CONNECTION}), replacing whatever the sender put there: the hub
 *     names the request's client from the login, and honours a temporary reply-to only when that same connection
 *     created it. (Artemis' own {@code populate-validated-user} stamp is not enough: an AMQP message does not
 *     keep it, and its {@code user-id}, which the sender writes, becomes {@code JMSXUserID}.)</li>
 * <li>a bus login creates temporary queues only: the permission to create a non-durable queue is also one to
 *     create a queue that outlives its connection.</li>
 * </ul>
 */
final class BusBrokerPlugin implements ActiveMQServerMessagePlugin, ActiveMQServerQueuePlugin {
    /** The request's property naming the login that sent it. */
    static final String SENDER_LOGIN = "HubSenderLogin";
    /** The request's property naming the connection that sent it. */
    static final String SENDER_CONNECTION = "HubSenderConnection";

    private final String hubUsername;

    BusBrokerPlugin(String hubUsername) {
        this.hubUsername = hubUsername;
    }

    @Override
    public void beforeSend(ServerSession session, Transaction tx, Message message, boolean direct, boolean noAutoCreateQueue) {
        String login = session.getValidatedUser();
        // the hub's own messages (results, dead letters) need no stamp; its login may not send requests
        if (login == null || !login.equals(hubUsername)) {
            message.putStringProperty(SENDER_LOGIN, login == null ? "" : login);
            message.putStringProperty(SENDER_CONNECTION, BrokerSecurity.connectionId(session.getRemotingConnection()));
            // an AMQP message is stored and converted from its encoding: the stamp must be in it
            message.reencode();
        }
    }

    @Override
    public void beforeCreateQueue(QueueConfiguration queue) throws ActiveMQException {
        // the broker's own queues (configured, or its internals) have no user; the hub's have its own
        String user = queue.getUser() == null ? null : queue.getUser().toString();
        if (user != null && !user.equals(hubUsername) && !Boolean.TRUE.equals(queue.isTemporary())) {
            throw new ActiveMQSecurityException("a bus login may only create temporary queues");
        }
    }
}
