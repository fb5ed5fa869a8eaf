package vn.onboardinghub.providers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.HubProcess;
import vn.onboardinghub.TestHub;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two hubs, each its own JVM, sharing one PostgreSQL schema: {@code hub.providers.ahamove.rate-limit} is the limit of
 * both together, counted where it matters, at the provider: no one-second window, wherever it starts, holds more than
 * N call arrivals, and the limit is used (at least 0.95 × N) while both hubs have more work than it allows. A permit
 * comes back one second after its call ended, and the permits of an instance that stopped holding them come back when
 * their lease ends.
 */
@Tag("serial") // the use of the limit is measured: run alone, not beside another test class (pom.xml, surefire)
class ClusterRateLimitTest {
    private static final String PG = System.getProperty("hub.test.pg.url", "").isBlank()
            ? "jdbc:postgresql://127.0.0.1:5432/test" : System.getProperty("hub.test.pg.url");
    private static final String AHAMOVE = "/ahamove/v1/partner/register_account";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LIMIT = 40;
    /** Load before the measured part: the hubs' code is compiled and their connections open, as in a running service. */
    private static final Duration WARM_UP = Duration.ofSeconds(5);
    private static final Duration LOADED = Duration.ofSeconds(20);

    /** Arrival of each provider call, taken as the simulator receives it (nanoTime: finer than WireMock's log). */
    private final ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
    private final WireMockServer provider = new WireMockServer(options().dynamicPort().containerThreads(64)
            .extensions(new ServeEventListener() {
                @Override
                public void beforeMatch(ServeEvent serveEvent, Parameters parameters) {
                    if (serveEvent.getRequest().getUrl().startsWith(AHAMOVE)) {
                        arrivals.add(System.nanoTime());
                    }
                }

                @Override
                public String getName() {
                    return "provider-call-arrivals";
                }
            }));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String schema = "hub_rl_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final List<HubProcess> hubs = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        provider.start();
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(okJson("{\"token\": \"t\", \"refresh_token\": \"r\"}")));
        try (Connection c = DriverManager.getConnection(PG, "postgres", "")) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        }
    }

    @AfterEach
    void stop() throws Exception {
        hubs.forEach(HubProcess::killAll);
        provider.stop();
        try (Connection c = DriverManager.getConnection(PG, "postgres", "")) {
            c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    @Test
    void twoInstancesTogetherStayWithinTheProvidersLimitAndUseIt() throws Exception {
        for (int i = 1; i <= 2; i++) {
            Map<String, String> settings = new HashMap<>(TestHub.providersAt(provider.baseUrl()));
            settings.put("hub.db.url", PG + "?currentSchema=" + schema);
            settings.put("hub.db.username", "postgres");
            settings.put("hub.providers.ahamove.rate-limit", String.valueOf(LIMIT));
            hubs.add(new HubProcess(Files.createTempDirectory("hub-rl-" + i), settings));
        }
        // both at once, as a Deployment's replicas start
        List<CompletableFuture<Process>> starting = new ArrayList<>();
        for (int i = 0; i < hubs.size(); i++) {
            HubProcess hub = hubs.get(i);
            String log = "cluster-rate-limit-" + (i + 1) + ".log";
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return hub.start(log);
                } catch (Exception e) {
                    throw new IllegalStateException("hub " + log + " did not start", e);
                }
            }));
        }
        CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();

        // each hub gets more onboardings at once than the limit lets through, for WARM_UP and then LOADED
        int clientsPerHub = LIMIT / 2;
        ExecutorService clients = Executors.newFixedThreadPool(2 * clientsPerHub);
        AtomicInteger merchants = new AtomicInteger();
        List<Future<List<String>>> outcomes = new ArrayList<>();
        long measuredFrom = System.nanoTime() + WARM_UP.toNanos();
        long until = measuredFrom + LOADED.toNanos();
        try {
            for (HubProcess hub : hubs) {
                for (int c = 0; c < clientsPerHub; c++) {
                    outcomes.add(clients.submit(() -> {
                        List<String> statuses = new ArrayList<>();
                        while (System.nanoTime() < until) {
                            statuses.add(onboard(hub, merchants.incrementAndGet()));
                        }
                        return statuses;
                    }));
                }
            }
            List<String> statuses = new ArrayList<>();
            for (Future<List<String>> f : outcomes) {
                statuses.addAll(f.get());
            }
            assertThat(statuses).as("every onboarding went through, none refused by the limit").allMatch("200 SUCCEEDED"::equals);
        } finally {
            clients.shutdownNow();
        }

        List<Long> times = arrivals.stream().sorted().toList();
        assertThat(times).hasSize(merchants.get());
        int busiest = 0;
        int from = 0;
        for (int to = 0; to < times.size(); to++) {
            while (times.get(to) - times.get(from) >= 1_000_000_000L) {
                from++;
            }
            busiest = Math.max(busiest, to - from + 1);
        }
        // the rate reached after the warm-up: N calls per the mean time from a call to the N-th after it (at most N
        // per second when no window holds more than N; the N calls a limit lets through at once when it starts do not
        // count as a rate)
        List<Long> measured = times.stream().filter(t -> t >= measuredFrom).toList();
        double nCallsNanos = 0;
        for (int i = 0; i + LIMIT < measured.size(); i++) {
            nCallsNanos += measured.get(i + LIMIT) - measured.get(i);
        }
        double utilisation = 1e9 / (nCallsNanos / (measured.size() - LIMIT));
        System.out.printf("cluster rate limit %d/s, two hubs: %d calls in %.1f s (%d measured), utilisation %.3f,"
                + " busiest second %d%n", LIMIT, times.size(), (times.get(times.size() - 1) - times.get(0)) / 1e9,
                measured.size(), utilisation, busiest);
        assertThat(busiest).as("calls arriving in the busiest one-second window, warm-up included").isLessThanOrEqualTo(LIMIT);
        assertThat(utilisation).as("share of the limit used").isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void aPermitIsFreeAgainOneSecondAfterItsCallEndedNotBefore() throws Exception {
        try (HikariDataSource database = migratedDatabase();
             ClusterRateLimits instance = new ClusterRateLimits(database, Duration.ofSeconds(60))) {
            ProviderGuards.RateLimit limit = instance.limit("ghtk", 1);
            Runnable callEnded = limit.acquire(1000);
            assertThat(callEnded).isNotNull();
            assertThat(limit.acquire(200)).as("the only permit is taken").isNull();
            callEnded.run();
            long endedAt = System.nanoTime();

            Runnable next = limit.acquire(5000);

            assertThat(next).isNotNull();
            assertThat(System.nanoTime() - endedAt).as("nanoseconds from the call's end to the next permit")
                    .isGreaterThanOrEqualTo(1_000_000_000L);
        }
    }

    @Test
    void permitsTakenByAnInstanceThatStoppedAreFreeAgainAfterTheirLease() throws Exception {
        Duration lease = Duration.ofSeconds(2);
        try (HikariDataSource database = migratedDatabase();
             ClusterRateLimits stoppedInstance = new ClusterRateLimits(database, lease);
             ClusterRateLimits otherInstance = new ClusterRateLimits(database, lease)) {
            ProviderGuards.RateLimit stopped = stoppedInstance.limit("ghtk", 2);
            long takenAt = System.nanoTime();
            // taken, and never given back: the instance died during the calls
            assertThat(stopped.acquire(1000)).isNotNull();
            assertThat(stopped.acquire(1000)).isNotNull();

            ProviderGuards.RateLimit other = otherInstance.limit("ghtk", 2);
            Runnable permit = other.acquire(10_000);

            assertThat(permit).isNotNull();
            assertThat(System.nanoTime() - takenAt).as("nanoseconds until another instance had a permit")
                    .isGreaterThanOrEqualTo(lease.toNanos());
        }
    }

    /** A pool on this test's schema, with the hub's migrations applied (provider_call_permit among them). */
    private HikariDataSource migratedDatabase() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(PG + "?currentSchema=" + schema);
        config.setUsername("postgres");
        config.setMaximumPoolSize(4);
        HikariDataSource database = new HikariDataSource(config);
        Flyway.configure().dataSource(database).locations("classpath:db/migration").load().migrate();
        return database;
    }

    /** One onboarding with Ahamove only, each a new merchant; its HTTP status and Ahamove's result. */
    private String onboard(HubProcess hub, int n) throws Exception {
        String body = """
                {"merchant": {"externalId": "M-%d", "name": "Shop %d", "phone": "0912 345 %03d"}, "providers": ["ahamove"]}"""
                .formatted(n, n, n % 1000);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + hub.port + "/api/v1/onboardings"))
                .timeout(Duration.ofSeconds(60)).header("X-API-Key", TestHub.API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + JSON.readTree(response.body()).at("/results/ahamove/status").asText();
    }
}
