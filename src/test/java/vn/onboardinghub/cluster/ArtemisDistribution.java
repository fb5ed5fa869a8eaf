package vn.onboardinghub.cluster;

import jakarta.jms.JMSContext;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The official ActiveMQ Artemis distribution (unpacked by the build into {@code target/artemis}) as a broker of its
 * own in its own JVM, on loopback, requiring a login: what an enterprise runs, not the hub's embedded broker.
 */
final class ArtemisDistribution {
    static final String USER = "hub";
    final String url;
    final String password;
    private final Path instance;
    private final int port;
    private Process broker;
    private int starts;

    private ArtemisDistribution(Path instance, int port, String password) {
        this.instance = instance;
        this.port = port;
        this.password = password;
        this.url = "tcp://127.0.0.1:" + port;
    }

    /** {@code artemis create}: a broker instance with one acceptor (CORE, AMQP, STOMP) and one user, login required. */
    static ArtemisDistribution create(Path instance, int port, String password) throws Exception {
        Path home = Path.of(System.getProperty("hub.test.artemis.home", "target/artemis/apache-artemis-missing"));
        if (!Files.isExecutable(home.resolve("bin/artemis"))) {
            throw new IllegalStateException("no Artemis distribution at " + home + ": run the tests through Maven,"
                    + " which unpacks it (maven-dependency-plugin, execution artemis-distribution)");
        }
        Process create = process(List.of(home.resolve("bin/artemis").toString(), "create", instance.toString(), "--silent",
                "--require-login", "--user", USER, "--password", password, "--host", "127.0.0.1",
                "--default-port", String.valueOf(port), "--no-web", "--no-amqp-acceptor", "--no-stomp-acceptor",
                "--no-hornetq-acceptor", "--no-mqtt-acceptor", "--no-autotune", "--nio", "--no-fsync",
                "--java-memory", "512M"), "artemis-" + port + "-create.log");
        if (!create.waitFor(120, TimeUnit.SECONDS) || create.exitValue() != 0) {
            create.destroyForcibly();
            throw new IllegalStateException("artemis create failed: see target/hub-process/artemis-" + port + "-create.log");
        }
        return new ArtemisDistribution(instance, port, password);
    }

    /** {@code artemis run}, then waits until the hub's login is accepted. */
    void start() throws Exception {
        // named by the port too: the test classes of two forks may run a broker each at the same time
        String logName = "artemis-" + port + "-" + ++starts + ".log";
        broker = process(List.of(instance.resolve("bin/artemis").toString(), "run"), logName);
        String log = "target/hub-process/" + logName;
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptionsInstanceOf(RuntimeException.class).until(() -> {
            if (!broker.isAlive()) {
                throw new AssertionError("the broker stopped: see " + log);
            }
            try (ActiveMQConnectionFactory factory = connectionFactory(); JMSContext ignored = factory.createContext()) {
                return true;
            }
        });
    }

    /** SIGTERM, as an operator restarting the broker; waits until it has exited. */
    void stop() throws InterruptedException {
        if (broker != null && broker.isAlive()) {
            broker.destroy();
            if (!broker.waitFor(60, TimeUnit.SECONDS)) {
                broker.destroyForcibly().waitFor();
            }
        }
    }

    /** SIGKILL, as a crash; waits until it has exited (so that it can be started again at once). */
    void kill() throws InterruptedException {
        if (broker != null) {
            broker.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
        }
    }

    ActiveMQConnectionFactory connectionFactory() {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url, USER, password);
        factory.setReconnectAttempts(0);
        return factory;
    }

    private static Process process(List<String> command, String logName) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Files.createDirectories(Path.of("target", "hub-process")).resolve(logName).toFile());
        // the distribution's scripts run the JVM of JAVA_HOME: the one running the tests
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // the JIT's first tier (appended to the JVM options of the scripts): much less CPU to start a broker that a
        // test runs for a minute at most
        builder.environment().put("JAVA_ARGS_APPEND", "-XX:TieredStopAtLevel=1");
        return builder.start();
    }
}
