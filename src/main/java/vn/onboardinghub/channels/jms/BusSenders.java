package vn.onboardinghub.channels.jms;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import org.apache.camel.Exchange;
import org.apache.camel.component.jms.JmsMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onboardinghub.core.Onboardings;

/**
 * Names the client a bus request belongs to from the login the broker stamped on it, never from anything else the
 * sender wrote (the embedded broker's {@link BusBrokerPlugin#SENDER_LOGIN}; on an external broker {@code JMSXUserID},
 * Artemis' {@code _AMQ_VALIDATED_USER} of {@code populate-validated-user}):
 * a {@code hub.bus.clients.<name>} login is client {@code <name>}, with result queue {@code <result-queue>.<name>};
 * the shared login is client {@value BusClients#SHARED}, with the shared result queue. The hub's own login is refused,
 * and so, on the embedded broker (which stamps every message), is any other. On an external broker a message without
 * the stamp, or from a login that is not a bus client's, is the shared client's.
 */
public class BusSenders {
    private static final Logger LOG = LoggerFactory.getLogger(BusSenders.class);
    /** Exchange properties set here. */
    static final String RESULT_QUEUE = "jmsResultQueue";
    static final String SENDER_CONNECTION = "jmsSenderConnection";
    static final String REFUSED = "jmsSenderRefused";

    private final BusClients clients;
    private final EmbeddedBroker.BusQueues queues;
    private final String hubUsername;
    /** null on an external broker */
    private final String sharedUsername;
    private final boolean embedded;

    BusSenders(BusClients clients, EmbeddedBroker.BusQueues queues, BrokerLogins logins, boolean embedded) {
        this.clients = clients;
        this.queues = queues;
        this.hubUsername = logins.hubUsername();
        this.sharedUsername = logins.clientUsername();
        this.embedded = embedded;
    }

    /** Sets the exchange's client and result queue, or why its sender is refused. */
    public void identify(Exchange exchange) throws JMSException {
        Message message = exchange.getIn() instanceof JmsMessage jms ? jms.getJmsMessage() : null;
        String stamped = message == null ? null : message.getStringProperty(embedded ? BusBrokerPlugin.SENDER_LOGIN : "JMSXUserID");
        String user = stamped == null || stamped.isBlank() ? null : stamped;
        exchange.setProperty(SENDER_CONNECTION, message == null ? null : message.getStringProperty(BusBrokerPlugin.SENDER_CONNECTION));
        BusClients.Client client = clients.get(user);
        String refused = null;
        if (client != null) {
            exchange.setProperty(Onboardings.CLIENT, client.name());
            exchange.setProperty(RESULT_QUEUE, queues.resultsOf(client.name()));
        } else if (user != null && user.equals(hubUsername)) {
            refused = "sent by the hub's own login, not a bus client's";
        } else if (embedded && (user == null || !user.equals(sharedUsername))) {
            refused = user == null ? "no login stamped on the request" : "sent by " + ReplyDestinations.printable(user) + ", not a bus client's login";
        } else {
            exchange.setProperty(Onboardings.CLIENT, BusClients.SHARED);
            exchange.setProperty(RESULT_QUEUE, queues.results());
        }
        if (refused != null) {
            LOG.warn("request {} goes to the dead-letter queue unprocessed: {}",
                    ReplyDestinations.printable(String.valueOf(exchange.getProperty(Onboardings.BUS_CORRELATION_ID))), refused);
        }
        exchange.setProperty(REFUSED, refused);
    }
}
