package vn.onboardinghub;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * The hub as its own process (a child JVM on this build's classes), for tests that kill it: SIGKILL with
 * {@code destroyForcibly}, SIGTERM with {@code destroy}. Ports and data dir stay the same across restarts.
 */
public final class HubProcess {
    /** Start-up attempts when a port picked free was taken by someone else before the hub bound it. */
    private static final int PORT_RACE_ATTEMPTS = 5;
    public int port;
    public int managementPort;
    public String brokerUrl;
    private final Path dataDir;
    private final Map<String, String> properties;
    private final List<Process> started = new ArrayList<>();
    /** Environment variables the hub is started with, besides this JVM's. */
    public final Map<String, String> environment = new java.util.LinkedHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();

    public HubProcess(Path dataDir, Map<String, String> properties) throws IOException {
        this.dataDir = dataDir;
        this.properties = properties;
        pickPorts();
    }

    private void pickPorts() throws IOException {
        this.port = freePort();
        this.managementPort = freePort();
        this.brokerUrl = "tcp://127.0.0.1:" + freePort();
    }

    /**
     * Starts the hub and waits until it is ready; its output goes to {@code target/hub-process/<logName>}. On the first
     * start, a hub that stops because one of its ports was taken meanwhile (the ports are picked free, then bound by
     * the child) is started again on other ports; later starts keep the ports.
     */
    public Process start(String logName) throws Exception {
        for (int attempt = 1; ; attempt++) {
            Process hub = launch(logName);
            boolean firstStart = started.size() == 1;
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> !hub.isAlive() || http.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                                        + managementPort + "/observe/health/ready")).build(),
                                HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            } catch (org.awaitility.core.ConditionTimeoutException notReady) {
                hub.destroyForcibly();
                throw notReady;
            }
            if (hub.isAlive()) {
                return hub;
            }
            String output = log(logName);
            if (!firstStart || attempt == PORT_RACE_ATTEMPTS || !output.contains("cannot listen on")) {
                throw new IllegalStateException("the hub stopped during start-up (exit " + hub.exitValue() + "):\n" + output);
            }
            started.remove(hub);
            pickPorts();
        }
    }

    /** Starts the hub without waiting for it (for tests of start-up failures); output as {@link #start}. */
    public Process launch(String logName) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                // a hub of a test lives for seconds to a minute: the JIT's first tier and one GC thread halve the CPU
                // its start-up takes, which is most of what it spends
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                // without empty entries: one would put the working directory, whose routes/ folder holds the same
                // routes as the classes, on the class path
                "-cp", Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                        .filter(entry -> !entry.isBlank()).collect(Collectors.joining(File.pathSeparator)),
                "-Dcamel.server.port=" + port,
                "-Dcamel.management.port=" + managementPort,
                "-Dhub.data-dir=" + dataDir,
                "-Dhub.broker.url=" + brokerUrl,
                "-Dhub.sandbox.enabled=false",
                "-Dhub.api.keys=" + TestHub.API_KEY,
                "-Dhub.hawtio.enabled=false",
                "-Dhub.crypto.key=" + "A".repeat(43) + "="));
        if (!properties.containsKey(TestHub.TAKEOVER)) {
            command.add("-D" + TestHub.TAKEOVER + "=" + TestHub.TEST_TAKEOVER_SECONDS);
        }
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add(Application.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Process hub = builder.redirectErrorStream(true)
                .redirectOutput(Files.createDirectories(Path.of("target", "hub-process")).resolve(logName).toFile()).start();
        started.add(hub);
        return hub;
    }

    /** What the hub started under that log name printed. */
    public static String log(String logName) throws IOException {
        return Files.readString(Path.of("target", "hub-process", logName));
    }

    public HttpResponse<String> managementGet(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("X-API-Key", TestHub.API_KEY).build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("X-API-Key", TestHub.API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Kills every process this started that is still running. */
    public void killAll() {
        started.forEach(Process::destroyForcibly);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
