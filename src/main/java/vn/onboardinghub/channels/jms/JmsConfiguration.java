package vn.onboardinghub.channels.jms;

import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import vn.onboardinghub.Settings;
import vn.onboardinghub.ops.HubMetrics;
import vn.onboardinghub.ops.ReadinessCheck;
import vn.onboardinghub.ops.Traces;
import vn.onboardinghub.store.OnboardingStore;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JMS bus channel's plumbing (docs/contract.md "JMS bus", docs/security.md "Bus logins"); its flow is {@code routes/intake-jms.camel.yaml}.
 * Starts the embedded Artemis broker unless {@code hub.broker.embedded=false}, and binds Camel's {@code jms}
 * component ({@code camel.component.jms.*} in application.properties) to {@code hub.broker.url}, transacted so that
 * a request is acknowledged only by the commit that publishes its result.
 */
public class JmsConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = Settings.of(context);
        String url = settings.string("hub.broker.url");
        boolean embedded = settings.bool("hub.broker.embedded");
        Path dataDir = Path.of(settings.string("hub.data-dir")).toAbsolutePath();
        BrokerLogins logins = BrokerLogins.resolve(key -> settings.optional(key).orElse(null), url, embedded, dataDir);
        Set<String> reserved = new TreeSet<>();
        for (String login : new String[] {logins.hubUsername(), logins.clientUsername()}) {
            if (login != null) {
                reserved.add(login);
            }
        }
        // hub.bus.clients.<name>.password / .reply-queues (environment variables arrive as these settings too)
        BusClients clients = BusClients.from(settings.names(), key -> settings.optional(key).orElse(null), embedded, reserved);
        EmbeddedBroker.BusQueues queues = new EmbeddedBroker.BusQueues(settings.string("hub.jms.request-queue"),
                settings.string("hub.jms.result-queue"), settings.string("hub.jms.dead-letter-queue"));
        Set<String> hubQueues = new TreeSet<>(queues.all());
        clients.all().forEach(client -> hubQueues.add(queues.resultsOf(client.name())));
        // a named reply queue is its client's alone: never one of the hub's queues, another client's, or the broker's
        Set<String> replyQueues = new TreeSet<>();
        for (BusClients.Client client : clients.all()) {
            for (String queue : client.namedReplyQueues()) {
                if (hubQueues.contains(queue) || queue.startsWith("activemq.") || !replyQueues.add(queue)) {
                    throw new IllegalStateException("hub.bus.clients." + client.name() + ".reply-queues names " + queue
                            + ": a queue of the hub's, the broker's (activemq.*) or another bus client's");
                }
            }
        }
        EmbeddedBroker broker = null;
        if (embedded) {
            broker = new EmbeddedBroker(url, dataDir.resolve("broker"), logins, clients, queues,
                    settings.integer("hub.broker.journal-scrub-seconds"), settings.integer("hub.broker.max-connections"),
                    context.getExecutorServiceManager());
            context.getRegistry().bind("embeddedBroker", broker);
            // started with the context, before the routes consume; stopped after them
            context.addService(broker, true, true);
        }

        // Artemis client URL parameters (sslEnabled=true;trustStorePath=…) pass through as they are
        ActiveMQConnectionFactory connectionFactory = new ActiveMQConnectionFactory(url, logins.hubUsername(), logins.hubPassword());
        // requests are JSON: never deserialize Java objects (ObjectMessage) that anyone put on the bus
        connectionFactory.setDeserializationAllowList("java.lang.String");
        context.getRegistry().bind("jmsConnectionFactory", connectionFactory);
        context.getRegistry().bind("jmsBusSenders", new BusSenders(clients, queues, logins, embedded));
        ReplyDestinations replyDestinations = new ReplyDestinations(connectionFactory, logins, clients, hubQueues, broker);
        context.getRegistry().bind("jmsReplyDestinations", replyDestinations);
        context.addService(replyDestinations, true, true);
        // later changes of bus-made onboardings, to their bus client's result queue (intake-jms.camel.yaml's timer)
        OnboardingStore store = context.getRegistry().lookupByNameAndType("onboardingStore", OnboardingStore.class);
        BusUpdates updates = new BusUpdates(connectionFactory, clients, queues, replyDestinations, store.outbox(),
                Duration.ofDays(settings.number("hub.webhooks.keep-days")), Traces.hubTracer(context));
        context.getRegistry().bind("jmsBusUpdates", updates);
        HubMetrics metrics = context.getRegistry().lookupByNameAndType("hubMetrics", HubMetrics.class);
        if (metrics != null) {
            updates.relay().countWith(metrics::eventAttempt);
        }
        context.addService(updates, true, true);
        context.getRegistry().bind("brokerReadiness", new ReadinessCheck("broker", () -> {
            try (var connection = connectionFactory.createConnection()) {
                connection.start();
            }
        }));
        // Camel's jms component itself is configured in application.properties (camel.component.jms.*) on this factory
    }
}
