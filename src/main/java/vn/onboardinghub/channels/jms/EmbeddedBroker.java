package vn.onboardinghub.channels.jms;

import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * The in-process ActiveMQ Artemis broker of {@code hub.broker.embedded=true}: a persistent journal under
 * {@code <data-dir>/broker} and one acceptor on {@code hub.broker.url} speaking CORE (Java), AMQP and STOMP
 * (Python, Node), so a request survives a restart and any platform can put one on the bus.
 * Started and stopped with the CamelContext.
 */
public class EmbeddedBroker extends ServiceSupport {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    private static final String ACCEPTOR = "hub";

    private final String url;
    private final Path directory;
    private final List<String> queues;
    private EmbeddedActiveMQ server;

    /** @param queues created at start-up as point-to-point queues, so clients of every protocol find them */
    public EmbeddedBroker(String url, Path directory, List<String> queues) {
        this.url = url;
        this.directory = directory;
        this.queues = queues;
    }

    @Override
    protected void doStart() throws Exception {
        requirePortFree();
        server = new EmbeddedActiveMQ().setConfiguration(configuration());
        server.start();
        LOG.info("embedded broker listening on {} (CORE, AMQP, STOMP), journal in {}", url, directory);
    }

    /**
     * Artemis only logs an acceptor that cannot bind and runs on without it; the hub would then talk to whatever
     * else owns the port (another hub's broker, say). Refuse to start instead.
     */
    private void requirePortFree() {
        URI uri = URI.create(url);
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(uri.getHost(), uri.getPort()));
        } catch (IOException e) {
            throw new IllegalStateException("the embedded broker cannot listen on hub.broker.url=" + url + " (" + e.getMessage()
                    + "): set another hub.broker.url, or hub.broker.embedded=false to use the broker already there", e);
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    private Configuration configuration() throws Exception {
        ConfigurationImpl config = new ConfigurationImpl();
        config.setName("onboarding-hub");
        config.setPersistenceEnabled(true);
        // NIO works everywhere; the AIO journal needs libaio
        config.setJournalType(JournalType.NIO);
        config.setBrokerInstance(directory.toFile());
        config.setJournalDirectory(directory.resolve("journal").toString());
        config.setBindingsDirectory(directory.resolve("bindings").toString());
        config.setPagingDirectory(directory.resolve("paging").toString());
        config.setLargeMessagesDirectory(directory.resolve("large-messages").toString());
        config.setNodeManagerLockDirectory(directory.toString());
        // no users on the embedded broker: the acceptor is on loopback by default; production uses hub.broker.embedded=false
        config.setSecurityEnabled(false);
        // a message delivered before the hub was killed arrives again marked JMSRedelivered, so the hub finishes its
        // PENDING onboarding at once (the count is otherwise kept in memory only and lost with the process)
        config.setPersistDeliveryCountBeforeDelivery(true);
        config.addAcceptorConfiguration(ACCEPTOR, url + (url.contains("?") ? "&" : "?") + "protocols=CORE,AMQP,STOMP");
        config.addAddressSetting("#", new AddressSettings()
                // a plain name is a queue for every protocol (STOMP and AMQP would otherwise default to topics)
                .setDefaultAddressRoutingType(RoutingType.ANYCAST)
                .setDefaultQueueRoutingType(RoutingType.ANYCAST)
                .setAutoCreateAddresses(true)
                .setAutoCreateQueues(true)
                // a message whose processing keeps failing (not bad input: that gets a result) is retried
                // with backoff, then parked on DLQ instead of looping
                .setRedeliveryDelay(1000)
                .setRedeliveryMultiplier(2)
                .setMaxRedeliveryDelay(60_000)
                .setMaxDeliveryAttempts(10)
                .setDeadLetterAddress(SimpleString.of("DLQ"))
                .setAutoCreateDeadLetterResources(true)
                .setExpiryAddress(SimpleString.of("ExpiryQueue"))
                .setAutoCreateExpiryResources(true));
        for (String queue : queues) {
            config.addQueueConfiguration(QueueConfiguration.of(queue).setAddress(queue).setRoutingType(RoutingType.ANYCAST));
        }
        return config;
    }
}
