package vn.onboardinghub.channels.jms;

import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.core.journal.Journal;
import org.apache.activemq.artemis.core.journal.impl.JournalImpl;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;


/**
 * The in-process ActiveMQ Artemis broker of {@code hub.broker.embedded=true}: a persistent journal under
 * {@code <data-dir>/broker} and one acceptor on {@code hub.broker.url} speaking CORE (Java), AMQP and STOMP
 * (Python, Node), so a request survives a restart and any platform can put one on the bus. Every client logs in
 * ({@link BrokerSecurity}); a consumed request leaves no trace in the journal files after a bounded time
 * ({@link #scrubJournal()}). Started and stopped with the CamelContext.
 */
public class EmbeddedBroker extends ServiceSupport {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    private static final String ACCEPTOR = "hub";
    /** Small journal files: a file is deleted as soon as nothing in it is alive, so it must not hold much else. */
    private static final int JOURNAL_FILE_SIZE = 1024 * 1024;

    private final String url;
    private final Path directory;
    private final BrokerLogins logins;
    private final BusClients clients;
    private final BusQueues queues;
    private final int scrubSeconds;
    private final int maxConnections;
    private EmbeddedActiveMQ server;
    private final ExecutorServiceManager executors;
    private ScheduledExecutorService scrubber;
    private long scrubbedUpTo = -1;

    /** The queues the hub owns on the bus, created at start-up as point-to-point queues for every protocol. */
    record BusQueues(String requests, String results, String deadLetters) {
        Set<String> all() {
            return Set.of(requests, results, deadLetters);
        }

        /** A bus client's own result queue. */
        String resultsOf(String client) {
            return results + "." + client;
        }
    }

    /**
     * @param scrubSeconds   how often the journal is rewritten without its dead records (see {@link #scrubJournal()})
     * @param maxConnections connections the acceptor takes at once
     * @param executors      Camel's, for the journal scrub's thread (stopped with the broker, and with the context)
     */
    EmbeddedBroker(String url, Path directory, BrokerLogins logins, BusClients clients, BusQueues queues, int scrubSeconds,
                   int maxConnections, ExecutorServiceManager executors) {
        this.executors = executors;
        this.url = url;
        this.directory = directory;
        this.logins = logins;
        this.clients = clients;
        this.queues = queues;
        this.scrubSeconds = scrubSeconds;
        this.maxConnections = maxConnections;
    }

    /** The running broker (null when stopped). */
    ActiveMQServer server() {
        EmbeddedActiveMQ embedded = server;
        return embedded == null ? null : embedded.getActiveMQServer();
    }

    @Override
    protected void doStart() throws Exception {
        requirePortFree();
        EmbeddedActiveMQ embedded = new EmbeddedActiveMQ();
        BrokerSecurity security = new BrokerSecurity(logins, clients, queues, embedded::getActiveMQServer);
        embedded.setConfiguration(configuration(security));
        embedded.setSecurityManager(security);
        embedded.start();
        server = embedded;
        scrubber = executors.newSingleThreadScheduledExecutor(this, "broker-journal-scrub");
        scrubber.scheduleWithFixedDelay(this::scrubJournalLogged, scrubSeconds, scrubSeconds, TimeUnit.SECONDS);
        LOG.info("embedded broker listening on {} (CORE, AMQP, STOMP, login required), journal in {}", BrokerLogins.printable(url), directory);
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
            throw new IllegalStateException("the embedded broker cannot listen on hub.broker.url=" + BrokerLogins.printable(url) + " (" + e.getMessage()
                    + "): set another hub.broker.url, or hub.broker.embedded=false to use the broker already there", e);
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (scrubber != null) {
            executors.shutdownNow(scrubber);
            scrubber = null;
        }
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    /**
     * Rids the journal files of consumed messages (a GHTK password travels in a request). The journal only appends:
     * a consumed message's record stays in its file until the whole file is dead, and Artemis then reuses the file
     * without erasing it. So, when anything was written since the last run: close the current file, compact (live
     * records are copied to a new file, the old files are released) and, with no pool of free files, the released
     * files are deleted rather than kept for reuse. Messages still waiting on a queue stay, as they must.
     */
    void scrubJournal() throws Exception {
        Journal journal = server.getActiveMQServer().getStorageManager().getMessageJournal();
        if (!(journal instanceof JournalImpl files) || !journal.isStarted()) {
            return;
        }
        long written = files.getCurrentFile().getFile().position();
        if (written == scrubbedUpTo && files.getDataFilesCount() == 0) {
            return;
        }
        files.forceMoveNextFile();
        files.scheduleCompactAndBlock(60);
        scrubbedUpTo = files.getCurrentFile().getFile().position();
    }

    private void scrubJournalLogged() {
        try {
            scrubJournal();
        } catch (Exception e) {
            LOG.warn("could not compact the broker journal: {}", e.toString());
        }
    }

    private Configuration configuration(BrokerSecurity security) throws Exception {
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
        // freed journal files are deleted, not pooled for reuse with their old content; none kept aside either
        config.setJournalFileSize(JOURNAL_FILE_SIZE);
        config.setJournalMinFiles(2);
        config.setJournalPoolFiles(1);
        config.setJournalMaxAtticFiles(0);
        // a message delivered before the hub was killed arrives again marked JMSRedelivered, so the hub finishes its
        // PENDING onboarding at once (the count is otherwise kept in memory only and lost with the process)
        config.setPersistDeliveryCountBeforeDelivery(true);
        // at most maxConnections connections at once, logged in or not, the hub's own included
        config.addAcceptorConfiguration(ACCEPTOR, url + (url.contains("?") ? "&" : "?") + "protocols=CORE,AMQP,STOMP"
                + "&connectionsAllowed=" + maxConnections);

        config.setSecurityEnabled(true);
        // every check asks BrokerSecurity, whose allowlist decides (the broker's security settings grant nothing): a
        // cached "yes" for the shared bus login would reach other connections' temporary queues
        config.setAuthorizationCacheSize(0);
        // each message carries the login that sent it (_AMQ_VALIDATED_USER, JMSXUserID), set by the broker over any
        // value the sender gave (CORE, STOMP); the hub itself reads BusBrokerPlugin's stamp, which AMQP keeps too
        config.setPopulateValidatedUser(true);
        // '#' and '*' are plain characters of an address: a queue on "#" or "onboarding.#" receives nothing else
        config.getWildcardConfiguration().setRoutingEnabled(false);
        config.registerBrokerPlugin(new BusBrokerPlugin(logins.hubUsername()));

        SimpleString deadLetters = SimpleString.of(queues.deadLetters());
        config.addAddressSetting("#", new AddressSettings()
                // a plain name is a queue for every protocol (STOMP and AMQP would otherwise default to topics)
                .setDefaultAddressRoutingType(RoutingType.ANYCAST)
                .setDefaultQueueRoutingType(RoutingType.ANYCAST)
                .setAutoCreateAddresses(true)
                .setAutoCreateQueues(true)
                // a message whose processing keeps failing (not bad input: that gets a result) is retried
                // with backoff, then parked on the dead-letter queue instead of looping; expired ones too
                .setRedeliveryDelay(1000)
                .setRedeliveryMultiplier(2)
                .setMaxRedeliveryDelay(60_000)
                .setMaxDeliveryAttempts(10)
                .setDeadLetterAddress(deadLetters)
                .setExpiryAddress(deadLetters));
        // what reaches the dead-letter queue stays there until someone takes it
        config.addAddressSetting(queues.deadLetters(), new AddressSettings()
                .setDefaultAddressRoutingType(RoutingType.ANYCAST)
                .setDefaultQueueRoutingType(RoutingType.ANYCAST)
                .setMaxDeliveryAttempts(-1));
        // the hub's queues, and each bus client's result queue and named reply queues
        for (String queue : new TreeSet<>(security.hubQueues())) {
            config.addQueueConfiguration(QueueConfiguration.of(queue).setAddress(queue).setRoutingType(RoutingType.ANYCAST));
        }
        return config;
    }
}
