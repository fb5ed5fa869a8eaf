package vn.onboardinghub.ops;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.support.service.ServiceSupport;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.webapp.WebAppContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import vn.onboardinghub.Settings;
import vn.onboardinghub.StartRefusedException;

import jakarta.servlet.DispatcherType;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * The Hawtio web console (docs/operations.md "Hawtio console", docs/security.md "The Hawtio console") at {@code http://<host>:<hub.hawtio.port>/hawtio/}: the Camel context, its
 * routes and their statistics, read over JMX by the Jolokia agent bundled in the Hawtio war (the hub adds no other
 * Jolokia: two versions in one JVM break the war's).
 * <p>
 * The war ({@code io.hawt:hawtio-war}, Jakarta Servlet 5) travels inside the hub's jar as the resource
 * {@value #WAR_RESOURCE}; it is copied to a temporary folder (outside {@code hub.data-dir}) and served by an
 * embedded Jetty 11. Started and stopped with the Camel context: its port is taken when the context starts (a port
 * already in use stops the hub from starting, naming {@code hub.hawtio.port}), but the console itself is deployed in
 * the background once the routes run ({@link #onCamelContextFullyStarted}), so that the hub is ready about a second
 * sooner; a browser that comes meanwhile waits for it. A console that fails to deploy is logged as an error and the
 * hub runs on without it.
 * <p>
 * Login is required unless sandbox mode is on or {@code hub.hawtio.authentication=false}: Hawtio's own JAAS login
 * over {@code hub.hawtio.users} ({@link ConsoleLoginModule}), which also guards {@code /hawtio/jolokia}. Without
 * login, Jolokia answers local clients only, so nobody elsewhere can operate the hub through it. Hawtio's proxy to
 * other Jolokia agents is off: the in-JVM agent is the only one the console needs.
 * <p>
 * Locked down in every mode: it listens on {@code hub.hawtio.host} (loopback by default); a {@link ConsoleRequestGuard}
 * refuses foreign {@code Host}s, origins and cross-site requests; a {@link ConsoleJolokiaFilter} lets through only
 * the request shapes the console sends (no path into a value, no MBean pattern in a read); Jolokia answers only what
 * {@link ConsolePolicy} names (plain values of the Camel context, routes, processors and consumers, a few JVM
 * figures, the route diagrams and statistics), and start and stop to {@code hub.hawtio.operators} only; the
 * Jolokia policy file ({@value #POLICY_RESOURCE}, completed with the console's own origins) names the request types;
 * the session cookie is {@code SameSite=Strict} and {@code HttpOnly}; failed logins are throttled per client address
 * and user name ({@link ConsoleLoginModule.Throttle}).
 */
public final class HawtioConsole extends ServiceSupport implements StartupListener {
    /** The role every configured user has and Hawtio requires. */
    public static final String ROLE = "admin";
    static final String REALM = "onboarding-hub-console";
    static final String WAR_RESOURCE = "/hawtio/hawtio.war";
    static final String POLICY_RESOURCE = "/hawtio/jolokia-access.xml";
    /** The war's restrictor that asks a JMX security MBean (ours: {@link ConsolePolicy}) with the user's subject. */
    static final String RESTRICTOR = "io.hawt.system.RBACRestrictor";
    /** Jolokia {@code <remote>} hosts of a console without login: this machine only. */
    private static final List<String> LOCAL_CLIENTS = List.of("localhost", "127.0.0.0/8", "0:0:0:0:0:0:0:1",
            "[0:0:0:0:0:0:0:1]", "::1");
    private static final Logger LOG = LoggerFactory.getLogger(HawtioConsole.class);

    private final boolean enabled;
    private final String host;
    private final int port;
    private final List<String> allowedHosts;
    private final boolean secureCookie;
    private final boolean loginRequired;
    private final ConsoleLoginModule.Users users;
    private final Set<String> operators;
    private final ConsoleLoginModule.Throttle throttle = new ConsoleLoginModule.Throttle(System::nanoTime);
    private ObjectName registeredPolicy;
    private final Map<String, String> replacedSystemProperties = new LinkedHashMap<>();
    private Configuration replacedJaasConfiguration;
    private Server server;
    private ServerConnector connector;
    private Future<?> deployment;
    private Path workDir;

    HawtioConsole(boolean enabled, String host, int port, List<String> allowedHosts, boolean secureCookie,
                  boolean loginRequired, ConsoleLoginModule.Users users, Set<String> operators) {
        this.enabled = enabled;
        this.host = host;
        this.port = port;
        this.allowedHosts = allowedHosts;
        this.secureCookie = secureCookie;
        this.loginRequired = loginRequired;
        this.users = users;
        this.operators = operators;
    }

    /**
     * The console as {@code hub.hawtio.*} configures it; refuses (throws) when login is required but no user is
     * configured, as the hub does for missing API keys.
     */
    public static HawtioConsole fromSettings(Settings settings, boolean sandboxMode) {
        boolean enabled = settings.bool("hub.hawtio.enabled");
        // loopback by default in every mode: the console operates the hub, reach it through an SSH tunnel or a reverse proxy
        String host = settings.string("hub.hawtio.host");
        int port = settings.integer("hub.hawtio.port");
        List<String> allowedHosts = settings.list("hub.hawtio.allowed-hosts");
        boolean secureCookie = settings.bool("hub.hawtio.secure-cookie");
        boolean loginRequired = !sandboxMode && settings.bool("hub.hawtio.authentication");
        ConsoleLoginModule.Users users = ConsoleLoginModule.Users.parse(settings.string("hub.hawtio.users"));
        if (enabled && loginRequired && users.isEmpty()) {
            throw new IllegalStateException("hub.hawtio.users (or HUB_HAWTIO_USERS) must be set when sandbox mode is off:"
                    + " comma-separated user:password pairs who may log in to the Hawtio console"
                    + " (or set hub.hawtio.enabled=false, or hub.hawtio.authentication=false for a console without login)");
        }
        Set<String> operators = new LinkedHashSet<>(settings.list("hub.hawtio.operators"));
        for (String operator : operators) {
            if (enabled && !users.names().contains(operator)) {
                // user names are not secrets; the passwords in hub.hawtio.users are never repeated
                throw new IllegalStateException("hub.hawtio.operators: " + operator + " is not a user of hub.hawtio.users");
            }
        }
        return new HawtioConsole(enabled, host, port, allowedHosts, secureCookie, loginRequired, users, operators);
    }

    /** Takes the console's port; the console is deployed once the context has fully started. */
    @Override
    protected void doStart() throws Exception {
        if (!enabled) {
            return;
        }
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("hawtio");
        server = new Server(threads);
        connector = new ServerConnector(server, 1, 1);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        try {
            // bound now, served once deployed: connections made meanwhile wait in the listen backlog
            connector.open();
        } catch (Exception e) {
            doStop();
            throw new StartRefusedException("cannot start the Hawtio console on port " + port + " (hub.hawtio.port) of "
                    + host + " (hub.hawtio.host): " + e.getMessage(), e);
        }
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // deployed in onCamelContextFullyStarted, after the routes
    }

    /** Deploys the console in the background: the hub is ready (and serving) without waiting for it. */
    @Override
    public synchronized void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        if (server == null || deployment != null) {
            return;
        }
        // a thread of Camel's: the pool ends with its one task, and is shut down with the context at the latest
        ExecutorService deployer = context.getExecutorServiceManager().newSingleThreadExecutor(this, "hawtio-deploy");
        deployment = deployer.submit(this::deploy);
        deployer.shutdown();
    }

    private void deploy() {
        try {
            workDir = Files.createTempDirectory("onboarding-hub-hawtio-");
            Path war = workDir.resolve("hawtio.war");
            try (InputStream in = HawtioConsole.class.getResourceAsStream(WAR_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the Hawtio console is missing from the hub's jar (" + WAR_RESOURCE
                            + "); rebuild with mvn package, or set hub.hawtio.enabled=false");
                }
                Files.copy(in, war, StandardCopyOption.REPLACE_EXISTING);
            }
            configureHawtio();
            registerPolicy();
            ConsoleRequestGuard guard = new ConsoleRequestGuard(host, connector.getLocalPort(), allowedHosts);
            guard.setHandler(webApp(war, writeJolokiaPolicy(guard)));
            server.setHandler(guard);
            server.start();
            LOG.info("Hawtio console at http://{}:{}/hawtio/ ({})", InetAddress.getByName(host).isLoopbackAddress()
                    ? "localhost" : host, connector.getLocalPort(), loginRequired
                    ? "login required, users " + users.names() + ", operators " + operators
                    : "no login (sandbox mode or hub.hawtio.authentication=false): its Jolokia answers local clients only");
        } catch (Exception e) {
            LOG.error("the Hawtio console on port {} (hub.hawtio.port) failed to start; the hub runs on without it: {}",
                    port, e.getMessage(), e);
            try {
                stopServer();
            } catch (Exception stopFailure) {
                e.addSuppressed(stopFailure);
            }
        }
    }

    /** The address the console listens on (null when it does not). */
    synchronized String boundHost() {
        return connector != null ? connector.getHost() : null;
    }

    /**
     * Writes the Jolokia access policy ({@value #POLICY_RESOURCE}) to the console's folder, completed with the
     * console's own origins ({@code <cors>}) and, without login, this machine as the only client ({@code <remote>}).
     */
    private Path writeJolokiaPolicy(ConsoleRequestGuard guard) throws Exception {
        DocumentBuilderFactory parsers = DocumentBuilderFactory.newInstance();
        parsers.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        Document policy;
        try (InputStream in = HawtioConsole.class.getResourceAsStream(POLICY_RESOURCE)) {
            policy = parsers.newDocumentBuilder().parse(in);
        }
        Element root = policy.getDocumentElement();
        Element cors = policy.createElement("cors");
        guard.jolokiaAllowedOrigins().forEach(origin -> append(cors, "allow-origin", origin));
        if (guard.behindProxy()) {
            // a TLS-terminating proxy forwards https origins over http, which Jolokia refuses otherwise
            append(cors, "ignore-scheme", null);
        }
        root.appendChild(cors);
        if (!loginRequired) {
            Element remote = policy.createElement("remote");
            LOCAL_CLIENTS.forEach(client -> append(remote, "host", client));
            root.appendChild(remote);
        }
        Path file = workDir.resolve("jolokia-access.xml");
        TransformerFactory.newInstance().newTransformer().transform(new DOMSource(policy), new StreamResult(file.toFile()));
        return file;
    }

    private static void append(Element parent, String name, String text) {
        Element child = parent.getOwnerDocument().createElement(name);
        if (text != null) {
            child.setTextContent(text);
        }
        parent.appendChild(child);
    }

    private WebAppContext webApp(Path war, Path policy) {
        WebAppContext webApp = new WebAppContext();
        webApp.setContextPath("/hawtio");
        webApp.setWar(war.toString());
        webApp.setTempDirectory(workDir.resolve("webapp").toFile());
        webApp.setThrowUnavailableOnStartupException(true);
        // the console logs through the hub's logging, not the war's own Log4j and configuration
        webApp.getSystemClassMatcher().add("org.slf4j.");
        // read by the war's Jolokia agent (servlet context parameters override its web.xml ones): Hawtio's restrictor
        // asks the ConsolePolicy MBean about every MBean access, the policy file about the rest (request types, CORS)
        webApp.setInitParameter("restrictorClass", RESTRICTOR);
        webApp.setInitParameter("policyLocation", policy.toUri().toString());
        // serialization limits, in case a value ever turns out deeper than the allowed attributes' are
        webApp.setInitParameter("maxDepth", String.valueOf(ConsoleJolokiaFilter.MAX_DEPTH));
        webApp.setInitParameter("maxCollectionSize", String.valueOf(ConsoleJolokiaFilter.MAX_COLLECTION_SIZE));
        webApp.setInitParameter("maxObjects", String.valueOf(ConsoleJolokiaFilter.MAX_OBJECTS));
        webApp.addFilter(new FilterHolder(new ConsoleJolokiaFilter()), "/jolokia/*", EnumSet.of(DispatcherType.REQUEST));
        // the session cookie is never sent by a request another site starts, nor readable by scripts
        webApp.getSessionHandler().setSameSite(HttpCookie.SameSite.STRICT);
        webApp.getSessionHandler().setHttpOnly(true);
        if (secureCookie) {
            webApp.getSessionHandler().getSessionCookieConfig().setSecure(true);
        }
        return webApp;
    }

    /**
     * Hawtio 4 reads its settings only from JVM system properties ({@code hawtio.*}) and logs users in through a
     * JAAS realm: both are set for this JVM while the console runs, and put back when it stops.
     */
    private void configureHawtio() {
        setSystemProperty("hawtio.authenticationEnabled", String.valueOf(loginRequired));
        setSystemProperty("hawtio.realm", REALM);
        setSystemProperty("hawtio.roles", ROLE);
        setSystemProperty("hawtio.rolePrincipalClasses", ConsoleLoginModule.Role.class.getName());
        setSystemProperty("hawtio.disableProxy", "true");
        // Hawtio's throttle counts failed logins per user name, so a guesser locks the user out: ours counts them
        // per address and user name (ConsoleLoginModule.Throttle)
        setSystemProperty("hawtio.authenticationThrottled", "false");
        replacedJaasConfiguration = currentJaasConfiguration();
        Configuration.setConfiguration(new ConsoleRealm(users, throttle, replacedJaasConfiguration));
    }

    /**
     * Registers the {@link ConsolePolicy} before the war's Jolokia starts: Hawtio's restrictor looks for it once, and
     * without it would allow everything. One console per JVM (Hawtio's settings are JVM-wide already).
     */
    private void registerPolicy() throws JMException {
        ObjectName name = new ObjectName(ConsolePolicy.OBJECT_NAME);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        server.registerMBean(new ConsolePolicy(server, operators), name);
        registeredPolicy = name;
    }

    private void setSystemProperty(String key, String value) {
        replacedSystemProperties.put(key, System.getProperty(key));
        System.setProperty(key, value);
    }

    @Override
    protected void doStop() throws Exception {
        Future<?> starting;
        synchronized (this) {
            starting = deployment;
            deployment = null;
        }
        if (starting != null) {
            // a console still deploying is stopped once it is up (deploy() handles its own failures)
            try {
                starting.get();
            } catch (CancellationException | ExecutionException notDeployed) {
                LOG.debug("the Hawtio console was not deployed: {}", notDeployed.toString());
            }
        }
        stopServer();
        if (registeredPolicy != null) {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(registeredPolicy);
            registeredPolicy = null;
        }
        replacedSystemProperties.forEach((key, value) -> {
            if (value == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, value);
            }
        });
        replacedSystemProperties.clear();
        if (currentJaasConfiguration() instanceof ConsoleRealm) {
            Configuration.setConfiguration(replacedJaasConfiguration);
        }
        if (workDir != null) {
            deleteRecursively(workDir);
            workDir = null;
        }
    }

    private synchronized void stopServer() throws Exception {
        if (server != null) {
            server.stop();
            // a port taken but never served is not released by stop()
            connector.close();
            server = null;
            connector = null;
        }
    }

    private static Configuration currentJaasConfiguration() {
        try {
            return Configuration.getConfiguration();
        } catch (SecurityException e) {
            // no JAAS configuration file in this JVM: the console's realm is the only one
            return null;
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** The console's JAAS realm; any other realm is answered by the JVM's configuration from before. */
    private static final class ConsoleRealm extends Configuration {
        private final AppConfigurationEntry[] entries;
        private final Configuration others;

        ConsoleRealm(ConsoleLoginModule.Users users, ConsoleLoginModule.Throttle throttle, Configuration others) {
            this.entries = new AppConfigurationEntry[] {new AppConfigurationEntry(ConsoleLoginModule.class.getName(),
                    AppConfigurationEntry.LoginModuleControlFlag.REQUIRED,
                    Map.of(ConsoleLoginModule.USERS_OPTION, users, ConsoleLoginModule.THROTTLE_OPTION, throttle))};
            this.others = others;
        }

        @Override
        public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
            if (REALM.equals(name)) {
                return entries;
            }
            return others != null ? others.getAppConfigurationEntry(name) : null;
        }
    }
}
