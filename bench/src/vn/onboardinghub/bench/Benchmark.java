package vn.onboardinghub.bench;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The benchmark of issue 6, every measurement in one run against the same simulators: the simulator ceiling, the
 * hand-written baseline, the hub's batch and REST channels, a provider rate limit (one hub, and two hubs sharing one
 * PostgreSQL database), a 1M-record batch in 256 MB, and start-up. Writes the report (default {@code docs/benchmarks.md}; quick mode {@code bench/target/benchmarks-quick.md})
 * and prints the {@code bench:} line last.
 *
 * <p>Usage: {@code Benchmark <projectDir> <jar> <benchClasspath> [--quick] [--profile] [--key=value...]}, keys as in
 * {@link Settings}.
 */
public final class Benchmark {

    /** Every figure the run is sized by; {@code --key=value} overrides one. */
    static final class Settings {
        boolean quick;
        boolean profile;
        int concurrency = 64;
        int delayMs = 20;
        int rounds = 3;
        long batchRecords = 20_000;
        double ceilingSeconds = 20;
        double restSeconds = 60;
        double warmupSeconds = 15;
        int rateLimit = 100;
        String rateLimitProvider = "ghtk";
        double rateLimitSeconds = 30;
        /** The database two hubs share for the cluster-wide rate limit (a fresh schema in it, dropped afterwards). */
        String pgUrl = "jdbc:postgresql://127.0.0.1:5432/test";
        String pgUsername = "postgres";
        String pgPassword = "";
        long memoryRecords = 1_000_000;
        int memoryHeapMb = 256;
        int startups = 5;
        long profileRecords = 10_000;
        String out = "docs/benchmarks.md";
        String command = "bench/run";
        /** Extra hub settings for every hub but the start-up ones, e.g. to measure the effect of one setting. */
        final Map<String, String> hubProperties = new LinkedHashMap<>();

        static Settings parse(List<String> args) {
            Settings s = new Settings();
            s.command = String.join(" ", java.util.stream.Stream.concat(java.util.stream.Stream.of("bench/run"), args.stream()).toList());
            if (args.contains("--quick")) {
                s.quick = true;
                s.rounds = 1;
                s.batchRecords = 2_000;
                s.ceilingSeconds = 8;
                s.restSeconds = 15;
                s.warmupSeconds = 5;
                s.rateLimitSeconds = 8;
                s.memoryRecords = 8_000;
                s.startups = 1;
                s.profileRecords = 2_000;
                // a quick run never replaces the full run's report in docs/
                s.out = "bench/target/benchmarks-quick.md";
            }
            s.profile = !s.quick || args.contains("--profile");
            for (String arg : args) {
                if (!arg.startsWith("--") || !arg.contains("=")) {
                    continue;
                }
                if (arg.startsWith("--hub-property=")) {
                    String property = arg.substring("--hub-property=".length());
                    s.hubProperties.put(property.substring(0, property.indexOf('=')), property.substring(property.indexOf('=') + 1));
                    continue;
                }
                String key = arg.substring(2, arg.indexOf('='));
                String value = arg.substring(arg.indexOf('=') + 1);
                switch (key) {
                    case "concurrency" -> s.concurrency = Integer.parseInt(value);
                    case "delay-ms" -> s.delayMs = Integer.parseInt(value);
                    case "rounds" -> s.rounds = Integer.parseInt(value);
                    case "batch-records" -> s.batchRecords = Long.parseLong(value);
                    case "ceiling-seconds" -> s.ceilingSeconds = Double.parseDouble(value);
                    case "rest-seconds" -> s.restSeconds = Double.parseDouble(value);
                    case "warmup-seconds" -> s.warmupSeconds = Double.parseDouble(value);
                    case "rate-limit" -> s.rateLimit = Integer.parseInt(value);
                    case "rate-limit-provider" -> s.rateLimitProvider = value;
                    case "rate-limit-seconds" -> s.rateLimitSeconds = Double.parseDouble(value);
                    case "pg-url" -> s.pgUrl = value;
                    case "pg-username" -> s.pgUsername = value;
                    case "pg-password" -> s.pgPassword = value;
                    case "memory-records" -> s.memoryRecords = Long.parseLong(value);
                    case "memory-heap-mb" -> s.memoryHeapMb = Integer.parseInt(value);
                    case "startups" -> s.startups = Integer.parseInt(value);
                    case "profile-records" -> s.profileRecords = Long.parseLong(value);
                    case "out" -> s.out = value;
                    default -> throw new IllegalArgumentException("unknown option --" + key);
                }
            }
            return s;
        }
    }

    /** One round of the side-by-side measurements. */
    record Round(ClosedLoop.Result ceiling, ClosedLoop.Result baseline, Hub.BatchResult batch, ClosedLoop.Result rest) {
        double baselineMps() {
            return baseline.perSecond();
        }

        double hubVsBaseline() {
            return batch.perSecond() / baseline.perSecond();
        }

        double p50Overhead() {
            return rest.p50() - ceiling.p50();
        }

        double p99Overhead() {
            return rest.p99() - ceiling.p99();
        }
    }

    record RateLimit(int limit, String provider, Hub.BatchResult batch, CallWindows windows) {
        double utilisation() {
            return windows.ratePerSecond() / limit;
        }
    }

    /** The same limit shared by {@code hubs} hubs of one PostgreSQL database, each with half the records. */
    record SharedRateLimit(int limit, String provider, int hubs, List<Hub.BatchResult> batches, CallWindows windows) {
        double utilisation() {
            return windows.ratePerSecond() / limit;
        }
    }

    record Memory(long records, boolean completed, Hub.BatchResult batch, GcLog.Heap heap, double peakRssMib, String failure) {
    }

    /** One REST client alone: the hub's own latency without queueing behind other requests for the CPU. */
    record Unloaded(ClosedLoop.Result simulator, ClosedLoop.Result baseline, ClosedLoop.Result rest) {
        double p50Overhead() {
            return rest.p50() - simulator.p50();
        }

        double p99Overhead() {
            return rest.p99() - simulator.p99();
        }
    }

    record Results(Settings settings, Map<String, String> machine, ClosedLoop.Result wiremockCeiling, List<Round> rounds,
                   Unloaded unloaded, RateLimit rateLimit, SharedRateLimit sharedRateLimit, Memory memory, List<Double> readySeconds, JfrProfile batchProfile,
                   JfrProfile restProfile, JfrProfile startupProfile) {
    }

    private final Settings settings;
    private final Path projectDir;
    private final Path jar;
    private final String classpath;
    private final Path work;

    private Benchmark(Settings settings, Path projectDir, Path jar, String classpath, Path work) {
        this.settings = settings;
        this.projectDir = projectDir;
        this.jar = jar;
        this.classpath = classpath;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        Path projectDir = Path.of(args[0]).toAbsolutePath();
        Path jar = Path.of(args[1]).toAbsolutePath();
        String classpath = args[2];
        Settings settings = Settings.parse(List.of(args).subList(3, args.length));
        Path work = Files.createTempDirectory("hub-bench");
        Results results;
        try {
            results = new Benchmark(settings, projectDir, jar, classpath, work).run();
        } finally {
            removeHubData(work);
        }
        Path out = projectDir.resolve(settings.out);
        Report.write(results, out);
        log("report written to " + out + " (child logs under " + work + ")");
        if (settings.memoryRecords < 1_000_000) {
            log("note: heap_1m_ok below is for " + settings.memoryRecords + " records, not 1,000,000");
        }
        System.out.println(Report.benchLine(results));
        System.exit(0);
    }

    /**
     * Deletes what the hubs stored (the H2 file grows by tens of kB per onboarding: gigabytes after a full run), the
     * broker journals and the batch files; the logs, GC log and JFR recordings stay.
     */
    private static void removeHubData(Path work) throws java.io.IOException {
        try (var hubs = Files.list(work)) {
            for (Path hub : hubs.filter(Files::isDirectory).toList()) {
                for (String data : List.of("db", "broker", "inbox", "outbox")) {
                    Path dir = hub.resolve(data);
                    if (Files.exists(dir)) {
                        try (var files = Files.walk(dir)) {
                            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                        }
                    }
                }
            }
        }
    }

    static void log(String message) {
        System.err.printf("bench [%tT] %s%n", System.currentTimeMillis(), message);
    }

    private Results run() throws Exception {
        Map<String, String> machine = Report.machine();
        int c = settings.concurrency;
        log("work dir " + work + "; concurrency " + c + ", simulator delay " + settings.delayMs + " ms" + (settings.quick ? ", QUICK mode" : ""));

        ClosedLoop.Result wiremockCeiling;
        try (Simulators wiremock = Simulators.start(classpath, work, settings.delayMs, "wiremock")) {
            Baseline load = new Baseline(wiremock.baseUrl);
            ClosedLoop.run(4 * c, Long.MAX_VALUE, settings.warmupSeconds / 2, i -> load.singleCall("wmwarm", i));
            wiremockCeiling = ClosedLoop.run(4 * c, Long.MAX_VALUE, settings.ceilingSeconds * (settings.quick ? 0.6 : 1),
                    i -> load.singleCall("wm", i));
            log(String.format("simulator ceiling, WireMock engine: %.0f calls/s, p50 %.1f ms, p99 %.1f ms, %d failures",
                    wiremockCeiling.perSecond(), wiremockCeiling.p50(), wiremockCeiling.p99(), wiremockCeiling.failures()));
        }

        List<Round> rounds = new ArrayList<>();
        RateLimit rateLimit;
        SharedRateLimit sharedRateLimit;
        Memory memory;
        JfrProfile batchProfile = null;
        JfrProfile restProfile = null;
        JfrProfile startupProfile = null;
        Unloaded unloaded;
        try (Simulators simulators = Simulators.start(classpath, work, settings.delayMs, "jdk")) {
            Baseline baseline = new Baseline(simulators.baseUrl);
            log("warm-up: simulators and baseline");
            ClosedLoop.run(4 * c, Long.MAX_VALUE, settings.warmupSeconds / 2, i -> baseline.singleCall("warm", i));
            ClosedLoop.run(c, Long.MAX_VALUE, settings.warmupSeconds / 2, i -> baseline.onboard("warm", i));

            try (Hub hub = startHub(simulators, "hub", List.of(), Map.of())) {
                log(String.format("hub ready in %.2f s; warm-up: REST and a batch", hub.readySeconds()));
                ClosedLoop.run(c, Long.MAX_VALUE, settings.warmupSeconds, i -> hub.onboard(Merchants.json("warm", i)));
                hub.batch("warm", Math.max(1_000, settings.batchRecords / 10), Duration.ofMinutes(30));

                for (int r = 1; r <= settings.rounds; r++) {
                    String run = "r" + r;
                    ClosedLoop.Result ceiling = ClosedLoop.run(4 * c, Long.MAX_VALUE, settings.ceilingSeconds,
                            i -> baseline.singleCall(run + "c", i));
                    log(String.format("round %d: simulator ceiling %.0f calls/s (%.0f merchants/s), p50 %.1f ms, p99 %.1f ms, %d failures",
                            r, ceiling.perSecond(), ceiling.perSecond() / 4, ceiling.p50(), ceiling.p99(), ceiling.failures()));
                    ClosedLoop.Result base = ClosedLoop.run(c, settings.batchRecords, 0, i -> baseline.onboard(run + "b", i));
                    log(String.format("round %d: baseline %.0f merchants/s, p50 %.1f ms, p99 %.1f ms, %d failures",
                            r, base.perSecond(), base.p50(), base.p99(), base.failures()));
                    Hub.BatchResult batch = hub.batch(run + "-batch", settings.batchRecords, Duration.ofMinutes(60));
                    log(String.format("round %d: hub batch %d records in %.1f s = %.0f merchants/s (%d ACTION_REQUIRED as expected)",
                            r, batch.records(), batch.seconds(), batch.perSecond(), batch.actionRequired()));
                    ClosedLoop.Result rest = ClosedLoop.run(c, Long.MAX_VALUE, settings.restSeconds,
                            i -> hub.onboard(Merchants.json(run + "-rest", i)));
                    log(String.format("round %d: hub REST %.0f onboardings/s, p50 %.1f ms, p99 %.1f ms, %d failures",
                            r, rest.perSecond(), rest.p50(), rest.p99(), rest.failures()));
                    Round round = new Round(ceiling, base, batch, rest);
                    rounds.add(round);
                    log(String.format("round %d: hub_vs_baseline %.2f, REST overhead p50 %.1f ms, p99 %.1f ms",
                            r, round.hubVsBaseline(), round.p50Overhead(), round.p99Overhead()));
                }

                double unloadedSeconds = Math.max(5, settings.restSeconds / 4);
                ClosedLoop.Result simulatorAlone = ClosedLoop.run(4, Long.MAX_VALUE, unloadedSeconds, i -> baseline.singleCall("u-c", i));
                // the same merchant by hand: its four calls in parallel, so the latency of the slowest of four
                ClosedLoop.Result baselineAlone = ClosedLoop.run(1, Long.MAX_VALUE, unloadedSeconds, i -> baseline.onboard("u-b", i));
                ClosedLoop.Result restAlone = ClosedLoop.run(1, Long.MAX_VALUE, unloadedSeconds, i -> hub.onboard(Merchants.json("u-rest", i)));
                unloaded = new Unloaded(simulatorAlone, baselineAlone, restAlone);
                log(String.format("one REST client: p50 %.1f ms, p99 %.1f ms; simulator at 4 calls in flight p50 %.1f ms, p99 %.1f ms;"
                                + " one baseline worker p50 %.1f ms, p99 %.1f ms", restAlone.p50(), restAlone.p99(), simulatorAlone.p50(),
                        simulatorAlone.p99(), baselineAlone.p50(), baselineAlone.p99()));

                if (settings.profile) {
                    log("profiling a batch of " + settings.profileRecords + " records (JFR)");
                    Path batchJfr = work.resolve("batch.jfr");
                    jfr(hub, "JFR.start", "name=bench", "settings=profile");
                    hub.batch("profile-batch", settings.profileRecords, Duration.ofMinutes(30));
                    jfr(hub, "JFR.stop", "name=bench", "filename=" + batchJfr);
                    batchProfile = JfrProfile.read(batchJfr, 20);
                    log("profiling " + settings.restSeconds / 2 + " s of REST (JFR)");
                    Path restJfr = work.resolve("rest.jfr");
                    jfr(hub, "JFR.start", "name=bench", "settings=profile");
                    ClosedLoop.run(c, Long.MAX_VALUE, settings.restSeconds / 2, i -> hub.onboard(Merchants.json("profile-rest", i)));
                    jfr(hub, "JFR.stop", "name=bench", "filename=" + restJfr);
                    restProfile = JfrProfile.read(restJfr, 20);
                }
            }

            rateLimit = rateLimit(simulators);
            sharedRateLimit = sharedRateLimit(simulators);
            memory = memory(simulators);
        }
        List<Double> ready = startups();
        if (settings.profile) {
            startupProfile = startupProfile();
        }
        return new Results(settings, machine, wiremockCeiling, rounds, unloaded, rateLimit, sharedRateLimit, memory, ready, batchProfile, restProfile,
                startupProfile);
    }

    private Hub startHub(Simulators simulators, String name, List<String> jvmArgs, Map<String, String> extra) throws Exception {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("hub.sandbox.enabled", "false");
        // the measured hubs run without the operator console (it would need hub.hawtio.users with sandbox mode off)
        props.put("hub.hawtio.enabled", "false");
        props.put("hub.api.keys", Hub.API_KEY);
        props.put("hub.file.concurrency", String.valueOf(settings.concurrency));
        props.put("hub.file.read-lock-min-age-ms", "500");
        props.putAll(simulators.hubSettings());
        props.putAll(settings.hubProperties);
        props.putAll(extra);
        return Hub.start(projectDir, jar, work.resolve(name), jvmArgs, props, settings.concurrency);
    }

    private RateLimit rateLimit(Simulators simulators) throws Exception {
        int n = settings.rateLimit;
        String provider = settings.rateLimitProvider;
        long records = (long) (n * settings.rateLimitSeconds);
        log("rate limit: " + provider + " at " + n + " calls/s, a batch of " + records + " records");
        try (Hub hub = startHub(simulators, "hub-ratelimit", List.of(),
                Map.of("hub.providers." + provider + ".rate-limit", String.valueOf(n)))) {
            simulators.resetCalls();
            Hub.BatchResult batch = hub.batch("ratelimit", records, Duration.ofMinutes(30));
            CallWindows windows = CallWindows.of(simulators.calls(provider), n);
            RateLimit result = new RateLimit(n, provider, batch, windows);
            log(String.format("rate limit: %d calls, %.1f calls/s achieved (utilisation %.3f), at most %d in one second",
                    windows.calls(), windows.ratePerSecond(), result.utilisation(), windows.maxInOneSecond()));
            return result;
        }
    }

    /**
     * Two hubs sharing one PostgreSQL schema, each given half of the same batch at the same moment: the limit holds for
     * both together (counted at the simulator, like the one-hub figure).
     */
    private SharedRateLimit sharedRateLimit(Simulators simulators) throws Exception {
        int n = settings.rateLimit;
        String provider = settings.rateLimitProvider;
        long records = (long) (n * settings.rateLimitSeconds);
        String schema = "hub_bench_" + ProcessHandle.current().pid();
        log("rate limit shared by 2 hubs (PostgreSQL schema " + schema + "): " + provider + " at " + n
                + " calls/s, a batch of " + records / 2 + " records each");
        try {
            sql("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("the two-hub rate limit needs PostgreSQL at " + settings.pgUrl
                    + " (--pg-url=, --pg-username=, --pg-password=): " + e.getMessage(), e);
        }
        Map<String, String> shared = Map.of("hub.providers." + provider + ".rate-limit", String.valueOf(n),
                "hub.db.url", settings.pgUrl + (settings.pgUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                "hub.db.username", settings.pgUsername, "hub.db.password", settings.pgPassword);
        ExecutorService both = Executors.newFixedThreadPool(2);
        try (Hub first = startHub(simulators, "hub-shared-1", List.of(), shared);
             Hub second = startHub(simulators, "hub-shared-2", List.of(), shared)) {
            // warmed up first like the hub of the rounds above (compiled code, open connections), not counted
            Future<Hub.BatchResult> firstWarm = both.submit(() -> first.batch("shared-warm-1", n, Duration.ofMinutes(30)));
            Future<Hub.BatchResult> secondWarm = both.submit(() -> second.batch("shared-warm-2", n, Duration.ofMinutes(30)));
            firstWarm.get();
            secondWarm.get();
            simulators.resetCalls();
            Future<Hub.BatchResult> firstBatch = both.submit(() -> first.batch("shared-1", records / 2, Duration.ofMinutes(30)));
            Future<Hub.BatchResult> secondBatch = both.submit(() -> second.batch("shared-2", records - records / 2, Duration.ofMinutes(30)));
            List<Hub.BatchResult> batches = List.of(firstBatch.get(), secondBatch.get());
            CallWindows windows = CallWindows.of(simulators.calls(provider), n);
            SharedRateLimit result = new SharedRateLimit(n, provider, 2, batches, windows);
            log(String.format("rate limit shared by 2 hubs: %d calls, %.1f calls/s achieved (utilisation %.3f), at most %d in one second",
                    windows.calls(), windows.ratePerSecond(), result.utilisation(), windows.maxInOneSecond()));
            return result;
        } finally {
            both.shutdownNow();
            sql("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = DriverManager.getConnection(settings.pgUrl, settings.pgUsername, settings.pgPassword)) {
            c.createStatement().execute(statement);
        }
    }

    private Memory memory(Simulators simulators) throws Exception {
        long records = settings.memoryRecords;
        log("memory: " + records + " records with -Xmx" + settings.memoryHeapMb + "m against zero-latency simulators");
        simulators.delay(0);
        simulators.resetCalls();
        Path gcLog = work.resolve("hub-memory-gc.log");
        try (Hub hub = startHub(simulators, "hub-memory",
                List.of("-Xmx" + settings.memoryHeapMb + "m", "-XX:+ExitOnOutOfMemoryError", "-Xlog:gc:file=" + gcLog),
                Map.of())) {
            Hub.BatchResult batch = null;
            String failure = null;
            try {
                batch = hub.batch("memory", records, Duration.ofHours(3));
            } catch (IllegalStateException e) {
                failure = e.getMessage();
            }
            double rss = Processes.peakRssMib(hub.process);
            GcLog.Heap heap = GcLog.read(gcLog);
            boolean completed = batch != null && batch.records() == records && batch.actionRequired() == records;
            Memory memory = new Memory(records, completed, batch, heap, rss, failure);
            log(String.format("memory: completed %s, peak heap %.0f MiB, peak RSS %.0f MiB, %s records/s",
                    completed, heap.peakUsedMib(), rss, batch == null ? "-" : String.format("%.0f", batch.perSecond())));
            return memory;
        } finally {
            simulators.delay(settings.delayMs);
        }
    }

    /** {@code java -jar} to ready, sandbox mode (no configuration but ports and a fresh data dir), each a new JVM. */
    private List<Double> startups() throws Exception {
        List<Double> seconds = new ArrayList<>();
        for (int i = 1; i <= settings.startups; i++) {
            try (Hub hub = Hub.start(projectDir, jar, work.resolve("hub-startup-" + i), List.of(), Map.of(), settings.concurrency)) {
                seconds.add(hub.readySeconds());
                log(String.format("start-up %d: ready in %.2f s", i, hub.readySeconds()));
            }
        }
        return seconds;
    }

    /** One more sandbox start-up, recorded by JFR from the JVM's start until ready (not counted in the timings). */
    private JfrProfile startupProfile() throws Exception {
        Path recording = work.resolve("startup.jfr");
        try (Hub hub = Hub.start(projectDir, jar, work.resolve("hub-startup-profiled"),
                List.of("-XX:StartFlightRecording=name=startup,settings=profile"), Map.of(), settings.concurrency)) {
            log(String.format("profiled start-up: ready in %.2f s (with JFR)", hub.readySeconds()));
            jfr(hub, "JFR.stop", "name=startup", "filename=" + recording);
        }
        return JfrProfile.read(recording, 20);
    }

    private static void jfr(Hub hub, String... command) throws Exception {
        List<String> args = new ArrayList<>();
        args.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        args.add(String.valueOf(hub.process.pid()));
        args.addAll(List.of(command));
        Process jcmd = new ProcessBuilder(args).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes());
        if (jcmd.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed: " + output);
        }
    }
}
