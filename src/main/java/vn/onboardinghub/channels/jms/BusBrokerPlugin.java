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
 * <li>each request is stamped with the id of the connection that sent it ({@value #SENDER_CONNECTION}, replacing
 *     whatever the sender put there), so the hub honours a temporary reply-to only when that same connection
 *     created it;</li>
 * <li>a bus login creates temporary queues only: the permission to create a non-durable queue is also one to
 *     create a queue that outlives its connection.</li>
 * </ul>
 */
final class BusBrokerPlugin implements ActiveMQServerMessagePlugin, ActiveMQServerQueuePlugin {
    /** The request's property naming the connection that sent it. */
    static final String SENDER_CONNECTION = "HubSenderConnection";

    private final String requests;
    private final String hubUsername;

    BusBrokerPlugin(String requests, String hubUsername) {
        this.requests = requests;
        this.hubUsername = hubUsername;
    }

    @Override
    public void beforeSend(ServerSession session, Transaction tx, Message message, boolean direct, boolean noAutoCreateQueue) {
        if (requests.equals(message.getAddress())) {
            message.putStringProperty(SENDER_CONNECTION, BrokerSecurity.connectionId(session.getRemotingConnection()));
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
