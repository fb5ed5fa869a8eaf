package vn.onboardinghub.channels.jms;

import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Queue;
import jakarta.jms.Topic;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.jms.ActiveMQJMSClient;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQDestination;
import org.apache.camel.Exchange;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onboardinghub.core.Onboardings;

import java.util.Set;

/**
 * Decides, before the result is sent, whether a request's {@code JMSReplyTo} can take it: a temporary queue that
 * exists now and, on the embedded broker, was created by the very connection that sent the request (the broker
 * stamps that connection on the request, {@link BusBrokerPlugin}); or a durable queue the request's bus client may
 * name ({@code hub.bus.clients.<name>.reply-queues}), none of the hub's. Anything else (another connection's
 * temporary queue, another system's queue, a name that does not exist, a topic) is refused, and the route parks the
 * result on the dead-letter queue. It has to be asked first: a send the broker refuses marks the whole transaction
 * rollback-only, so the request would be redelivered and onboarded again, for ever.
 */
public class ReplyDestinations extends ServiceSupport {
    private static final Logger LOG = LoggerFactory.getLogger(ReplyDestinations.class);
    private static final int MAX_NAME_IN_LOG = 200;

    private final ActiveMQConnectionFactory connectionFactory;
    private final BrokerLogins logins;
    private final BusClients clients;
    private final Set<String> hubQueues;
    /** null on an external broker, which cannot tell who created a temporary queue */
    private final EmbeddedBroker embedded;
    private ClientSessionFactory sessionFactory;
    private ClientSession session;

    /** @param hubQueues queues no reply-to may name (the hub's own, the bus clients' result queues) */
    ReplyDestinations(ActiveMQConnectionFactory connectionFactory, BrokerLogins logins, BusClients clients,
                      Set<String> hubQueues, EmbeddedBroker embedded) {
        this.connectionFactory = connectionFactory;
        this.logins = logins;
        this.clients = clients;
        this.hubQueues = Set.copyOf(hubQueues);
        this.embedded = embedded;
    }

    /**
     * @return why the exchange's {@code jmsReplyTo} property cannot take the result, or null when it can (or is unset:
     *         the result then goes to the result queue)
     */
    public String refusal(Exchange exchange) throws Exception {
        Destination replyTo = exchange.getProperty("jmsReplyTo", Destination.class);
        if (replyTo == null) {
            return null;
        }
        String name = queueName(replyTo);
        String refusal = name == null ? "reply-to " + printable(replyTo.toString()) + " is not a queue"
                : refusal(name, exchange.getProperty(Onboardings.CLIENT, String.class), exchange.getProperty(BusSenders.SENDER_CONNECTION, String.class));
        if (refusal == null) {
            // sent to as the queue it is: a STOMP or AMQP reply-to is a plain address, which the JMS client would send
            // to as a topic (multicast), refused by an anycast queue, and the request would be redelivered
            exchange.setProperty("jmsReplyTo", ActiveMQJMSClient.createQueue(name));
        } else {
            LOG.warn("result of request {} goes to the dead-letter queue: {}",
                    printable(String.valueOf(exchange.getProperty(Onboardings.BUS_CORRELATION_ID))), refusal);
        }
        return refusal;
    }

    /**
     * The durable queue the request names as its reply-to (exchange property {@code jmsReplyTo}), or null: none, a
     * temporary queue (gone by the time a later update comes), a topic. Stored with the onboarding for its updates.
     */
    public String durableReplyTo(Exchange exchange) throws JMSException {
        Destination replyTo = exchange.getProperty("jmsReplyTo", Destination.class);
        if (replyTo == null || replyTo instanceof jakarta.jms.TemporaryQueue
                || replyTo instanceof ActiveMQDestination destination && destination.isTemporary()) {
            return null;
        }
        return queueName(replyTo);
    }

    /**
     * Why the durable queue {@code name} cannot take a later update of {@code client}'s onboarding (the checks of a
     * reply-to, made again at the time of the update), or null when it can.
     */
    String refusalOfDurable(String name, String client) throws Exception {
        return refusal(name, client, null);
    }

    /** The queue's name, or null for a topic. */
    private static String queueName(Destination replyTo) throws JMSException {
        if (replyTo instanceof ActiveMQDestination destination && !(replyTo instanceof Topic)) {
            // a STOMP or AMQP reply-to arrives as a plain address, neither queue nor topic
            return destination.getAddress();
        }
        return replyTo instanceof Queue queue ? queue.getQueueName() : null;
    }

    private String refusal(String name, String client, String senderConnection) throws Exception {
        ClientSession.QueueQuery found = query(SimpleString.of(name));
        if (!found.isExists()) {
            return "reply-to queue " + printable(name) + " does not exist";
        }
        if (found.getRoutingType() != RoutingType.ANYCAST || found.getAddress() == null || !name.equals(found.getAddress().toString())) {
            // the result is sent to the address of that name, point-to-point
            return "reply-to queue " + printable(name) + " is not a point-to-point queue on its own address";
        }
        if (found.isTemporary()) {
            if (embedded != null && (senderConnection == null
                    || !senderConnection.equals(BrokerSecurity.creator(embedded.server(), SimpleString.of(name))))) {
                return "reply-to queue " + printable(name) + " is a temporary queue of another connection than the request's";
            }
            return null;
        }
        BusClients.Client busClient = clients.get(client);
        if (hubQueues.contains(name) || busClient == null || !busClient.mayReplyTo(name) || !found.isDurable()) {
            return "reply-to queue " + printable(name) + " is neither a temporary queue nor a reply queue of client " + printable(String.valueOf(client));
        }
        return null;
    }

    private synchronized ClientSession.QueueQuery query(SimpleString name) throws Exception {
        try {
            return session().queueQuery(name);
        } catch (Exception e) {
            // the broker restarted or the connection dropped: one new session, then give up (the request is redelivered)
            doStop();
            return session().queueQuery(name);
        }
    }

    private ClientSession session() throws Exception {
        if (session == null) {
            sessionFactory = connectionFactory.getServerLocator().createSessionFactory();
            session = sessionFactory.createSession(logins.hubUsername(), logins.hubPassword(), false, true, true, false, 0);
        }
        return session;
    }

    /** A name from the bus as it may appear in a log line: no control characters, bounded length. */
    static String printable(String name) {
        String clean = name.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > MAX_NAME_IN_LOG ? clean.substring(0, MAX_NAME_IN_LOG) + "…" : clean;
    }

    @Override
    protected void doStart() {
        // the session is opened on first use: the broker may start after this service
    }

    @Override
    protected synchronized void doStop() throws JMSException {
        try {
            if (session != null) {
                session.close();
            }
        } catch (Exception e) {
            // closing a session whose connection is gone
        } finally {
            session = null;
            if (sessionFactory != null) {
                sessionFactory.close();
                sessionFactory = null;
            }
        }
    }
}
