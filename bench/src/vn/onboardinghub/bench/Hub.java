package vn.onboardinghub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The hub as users run it ({@code java -jar target/onboarding-hub.jar}), in its own JVM with its own data dir. */
final class Hub implements AutoCloseable {
    static final String API_KEY = "bench-key";
    private static final ObjectMapper JSON = new ObjectMapper();

    final Process process;
    final Path dataDir;
    final int port;
    final long startedNanos;
    final long readyNanos;
    private final HttpClient http;

    private Hub(Process process, Path dataDir, int port, long startedNanos, long readyNanos, int concurrency) {
        this.process = process;
        this.dataDir = dataDir;
        this.port = port;
        this.startedNanos = startedNanos;
        this.readyNanos = readyNanos;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Starts the hub in {@code projectDir} with {@code settings} as {@code -D} flags and waits until it is ready. */
    static Hub start(Path projectDir, Path jar, Path dataDir, List<String> jvmArgs, Map<String, String> settings, int concurrency)
            throws Exception {
        Files.createDirectories(dataDir);
        int port = Processes.freePort();
        int managementPort = Processes.freePort();
        List<String> args = new ArrayList<>(jvmArgs);
        args.add("-Dcamel.server.port=" + port);
        args.add("-Dcamel.management.port=" + managementPort);
        args.add("-Dhub.broker.url=tcp://127.0.0.1:" + Processes.freePort());
        args.add("-Dhub.data-dir=" + dataDir);
        args.add("-Dhub.hawtio.port=" + Processes.freePort());
        settings.forEach((k, v) -> args.add("-D" + k + "=" + v));
        args.add("-jar");
        args.add(jar.toString());
        long started = System.nanoTime();
        Process process = Processes.java(projectDir, dataDir.resolve("hub.log"), args, List.of());
        long ready = Processes.awaitOk("http://127.0.0.1:" + managementPort + "/observe/health/ready", process, Duration.ofMinutes(3));
        return new Hub(process, dataDir, port, started, ready, concurrency);
    }

    double readySeconds() {
        return (readyNanos - startedNanos) / 1e9;
    }

    /** One synchronous onboarding over REST; true when it answered 200 with every provider's result. */
    boolean onboard(String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/onboardings"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json").header("X-API-Key", API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 && response.body().contains("\"ACTION_REQUIRED\"")
                && !response.body().contains("\"FAILED\"");
    }

    record BatchResult(long records, long actionRequired, double seconds, JsonNode summary) {
        double perSecond() {
            return records / seconds;
        }
    }

    /**
     * Drops a CSV of {@code count} merchants into the inbox and waits for its summary; the time is the summary's
     * {@code finishedAt - startedAt} (the hub's own processing, without the inbox read lock's wait).
     */
    BatchResult batch(String run, long count, Duration timeout) throws Exception {
        Path inbox = dataDir.resolve("inbox");
        Files.createDirectories(inbox);
        Path csv = inbox.resolve(run + ".csv");
        Merchants.writeCsv(csv, run, count);
        Path summary = dataDir.resolve("outbox").resolve(run + ".summary.json");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(summary)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the hub exited during batch " + run + "; see " + dataDir.resolve("hub.log"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("batch " + run + " did not finish within " + timeout);
            }
            Thread.sleep(100);
        }
        JsonNode json = JSON.readTree(Files.readString(summary));
        double seconds = Duration.between(Instant.parse(json.path("startedAt").asText()),
                Instant.parse(json.path("finishedAt").asText())).toNanos() / 1e9;
        // results files are large at 1M records and not needed after the summary
        Files.deleteIfExists(dataDir.resolve("outbox").resolve(run + ".results.ndjson"));
        return new BatchResult(json.path("records").asLong(), json.path("byStatus").path("ACTION_REQUIRED").asLong(), seconds, json);
    }

    @Override
    public void close() {
        Processes.stop(process);
    }
}
