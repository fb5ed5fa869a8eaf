package vn.onboardinghub.channels.jms;

import io.opentelemetry.api.trace.Tracer;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onboardinghub.events.OutboxRelay;
import vn.onboardinghub.model.OnboardingEvent;
import vn.onboardinghub.model.OnboardingResult;
import vn.onboardinghub.store.EventOutbox;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Later changes of bus-made onboardings (docs/contract.md "JMS bus"): {@code routes/intake-jms.camel.yaml} calls
 * {@link #deliverDue} on a timer, and an {@link OutboxRelay} claims the queued {@code onboarding.updated} events (one
 * instance at a time, in order per onboarding). Each is published, persistent, to the durable reply-to queue its
 * request named (if the client may still name it), else to its bus client's result queue, with
 * the request's {@code JMSCorrelationID}, property {@value #TYPE} and, when tracing is on, {@code traceparent}; the body
 * is the whole result as that change left it, the same shape as the first answer (the bus has no {@code GET}). A
 * broker that is away only delays it: it is tried again (1 s doubling to 60 s) until it is sent, never given up.
 */
public class BusUpdates extends ServiceSupport {
    private static final Logger LOG = LoggerFactory.getLogger(BusUpdates.class);
    /** The message property naming the event a result message is. */
    public static final String TYPE = "HubEventType";

    private final ActiveMQConnectionFactory connectionFactory;
    private final EmbeddedBroker.BusQueues queues;
    private final ReplyDestinations replyDestinations;
    private final OutboxRelay relay;
    private JMSContext session;

    BusUpdates(ActiveMQConnectionFactory connectionFactory, BusClients clients, EmbeddedBroker.BusQueues queues,
               ReplyDestinations replyDestinations, EventOutbox outbox, Duration keep, Supplier<Tracer> tracer) {
        this.connectionFactory = connectionFactory;
        this.queues = queues;
        this.replyDestinations = replyDestinations;
        // only the events of the bus clients configured here: a removed client's wait until it is configured again
        java.util.Set<String> known = new java.util.HashSet<>();
        known.add(BusClients.SHARED);
        clients.all().forEach(client -> known.add(client.name()));
        this.relay = OutboxRelay.untilSent(outbox, EventOutbox.Channel.BUS, () -> known, this::publish, keep, tracer);
    }

    /** The relay, for the hub's metrics. */
    public OutboxRelay relay() {
        return relay;
    }

    /** One poll: publishes the due updates; the number published or tried. */
    public int deliverDue() {
        return relay.deliverDue();
    }

    /**
     * The first answer's {@value #TYPE}: {@code onboarding.action_required} or {@code onboarding.completed}; none (null)
     * for the PENDING result a request gets while an earlier one with its requestId is still being onboarded.
     */
    public String firstEventType(Object result) {
        if (result instanceof OnboardingResult r) {
            return r.status() == OnboardingResult.Status.PENDING ? null : OnboardingEvent.firstType(r);
        }
        return OnboardingEvent.COMPLETED;
    }

    private synchronized OutboxRelay.Outcome publish(EventOutbox.Due due, String body, String traceparent) throws Exception {
        // the relay claims only the events of the clients configured here
        String queue = BusClients.SHARED.equals(due.client()) ? queues.results() : queues.resultsOf(due.client());
        if (due.replyTo() != null) {
            // the durable queue its request named, if it may still name it now (else the result queue)
            String refused = replyDestinations.refusalOfDurable(due.replyTo(), due.client());
            if (refused == null) {
                queue = due.replyTo();
            } else {
                LOG.warn("update {} of onboarding {} goes to the result queue: {}", due.eventId(), due.onboardingId(), refused);
            }
        }
        try {
            if (session == null) {
                session = connectionFactory.createContext(JMSContext.SESSION_TRANSACTED);
            }
            TextMessage message = session.createTextMessage(body);
            message.setJMSCorrelationID(due.destination());
            message.setStringProperty(TYPE, due.type());
            if (traceparent != null) {
                message.setStringProperty("traceparent", traceparent);
            }
            session.createProducer().setDeliveryMode(DeliveryMode.PERSISTENT).send(session.createQueue(queue), message);
            session.commit();
            return OutboxRelay.Outcome.delivered(null);
        } catch (JMSRuntimeException | JMSException e) {
            // the broker went away or refused: a new session for the next attempt
            doStop();
            return OutboxRelay.Outcome.failed(null, "the broker did not take it: " + e.getMessage());
        }
    }

    @Override
    protected synchronized void doStop() {
        if (session != null) {
            try {
                session.close();
            } catch (JMSRuntimeException closing) {
                // its connection is gone already
            }
            session = null;
        }
    }
}
