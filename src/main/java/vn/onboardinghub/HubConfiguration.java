package vn.onboardinghub;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onboardinghub.api.Api;
import vn.onboardinghub.api.ApiDocument;
import vn.onboardinghub.api.ApiClients;
import vn.onboardinghub.api.HttpListeners;
import vn.onboardinghub.api.HttpServerLimits;
import vn.onboardinghub.api.KeyGuessThrottle;
import vn.onboardinghub.core.AccountKeys;
import vn.onboardinghub.core.CallbackSigner;
import vn.onboardinghub.core.Callbacks;
import vn.onboardinghub.core.MerchantLinks;
import vn.onboardinghub.core.Onboardings;
import vn.onboardinghub.core.ProviderResultsAggregation;
import vn.onboardinghub.validation.JsonViolations;
import vn.onboardinghub.validation.RequestReader;
import vn.onboardinghub.providers.ClusterRateLimits;
import vn.onboardinghub.providers.InputField;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderCalls;
import vn.onboardinghub.providers.ProviderCatalog;
import vn.onboardinghub.providers.ProviderGuards;
import vn.onboardinghub.providers.ProviderRoutes;
import vn.onboardinghub.providers.ProviderSettings;
import vn.onboardinghub.sandbox.Sandbox;
import vn.onboardinghub.store.BrokenConnectionEviction;
import vn.onboardinghub.store.H2Compaction;
import vn.onboardinghub.store.MerchantLinkStore;
import vn.onboardinghub.store.OnboardingStore;
import vn.onboardinghub.store.OutageWait;
import vn.onboardinghub.store.ResultCipher;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import vn.onboardinghub.ops.HubMetrics;
import vn.onboardinghub.page.MerchantPage;
import vn.onboardinghub.page.PageTemplates;
import vn.onboardinghub.ops.MeteredRoutes;
import vn.onboardinghub.ops.HawtioConsole;
import vn.onboardinghub.ops.ReadinessCheck;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Base64;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Wires the hub from {@code application.properties} (each key overridable by {@code -D} and by environment
 * variable) and binds the beans the YAML routes refer to.
 */
public class HubConfiguration implements CamelConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(HubConfiguration.class);
    /**
     * What a provider without these settings in application.properties gets ({@code hub.providers.<name>.<key>}): a
     * provider added by a package of its own needs only its base-url and credentials.
     */
    static final Map<String, String> PROVIDER_DEFAULTS = Map.of("enabled", "true", "max-concurrency", "64",
            "rate-limit", "0", "base-url", "");

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = Settings.of(context);
        boolean sandboxMode = settings.bool("hub.sandbox.enabled");
        Path dataDir = Path.of(settings.string("hub.data-dir")).toAbsolutePath();
        boolean embeddedDatabase = settings.optional("hub.db.url").isEmpty();
        boolean embeddedBroker = settings.bool("hub.broker.embedded");
        ownerOnly(dataDir, embeddedDatabase, embeddedBroker);
        // once everything started (the database and broker files exist), and every second after (the broker creates
        // journal files as it compacts): every folder and file under the data dir owner-only
        java.util.Set<Path> fileDropFolders = fileDropFolders(settings);
        context.addStartupListener((started, alreadyStarted) -> started.getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(this, "data-dir-permissions").scheduleWithFixedDelay(
                        () -> DataDirPermissions.restrict(dataDir, fileDropFolders), 0, 1, java.util.concurrent.TimeUnit.SECONDS));
        // the embedded database and broker open in one process only: a second hub on the same directory is refused
        DataDirectoryLock dataDirLock = embeddedDatabase || embeddedBroker ? DataDirectoryLock.acquire(dataDir) : null;

        ObjectMapper mapper = objectMapper();
        ProviderCatalog catalog = new ProviderCatalog(mapper, settings.list("hub.providers.packages"));
        // Camel's log mask (camel.main.log-mask) also hides the fields the providers declare secret, whatever their names
        String existing = context.getCamelContextExtension().getAdditionalSensitiveKeywords();
        String declaredSecrets = catalog.all().stream().flatMap(p -> p.inputFields().stream()).filter(InputField::isSecret)
                .map(InputField::name).distinct().collect(Collectors.joining(","));
        if (!declaredSecrets.isEmpty()) {
            context.getCamelContextExtension().setAdditionalSensitiveKeywords(
                    existing == null || existing.isBlank() ? declaredSecrets : existing + "," + declaredSecrets);
        }
        HikariDataSource dataSource = dataSource(settings, dataDir);
        OnboardingStore store = new OnboardingStore(dataSource, mapper, new ResultCipher(cryptoKeys(settings, dataDir, sandboxMode)));
        store.migrate();

        byte[] callbackKey = callbackKey(settings, dataDir);
        AccountKeys accountKeys = new AccountKeys(callbackKey);
        MerchantLinks merchantLinks = new MerchantLinks(callbackKey, settings.string("hub.public-base-url"),
                Duration.ofHours(settings.integer("hub.merchant-link.ttl-hours")), new MerchantLinkStore(dataSource), store,
                Clock.systemUTC());
        Callbacks callbacks = new Callbacks(new CallbackSigner(callbackKey, Duration.ofHours(24), Clock.systemUTC()),
                settings.string("hub.public-base-url"), store, catalog, accountKeys, merchantLinks);
        Sandbox sandbox = sandboxMode ? new Sandbox(catalog.all()) : null;
        for (ProviderAdapter provider : catalog.all()) {
            provider.configure(providerSettings(settings, provider, sandbox), callbacks);
            LOG.info("provider {}: {}", provider.name(), provider.enabled() ? provider.settings().baseUrl() : "disabled");
        }
        // a request naming no provider gets hub.providers.default, not every provider: one added later (perhaps with
        // inputs it requires) is asked only by requests naming it. A disabled provider listed there is left out, as it
        // was when the default was every enabled provider
        List<String> defaultProviders = catalog.enabledNames().stream().filter(SettingsCheck.providerNames(
                "hub.providers.default", settings.raw("hub.providers.default"), catalog.names())::contains).toList();
        LOG.info("a request naming no provider asks {}", defaultProviders.isEmpty() ? "none (it is refused)" : defaultProviders);
        if (sandboxMode) {
            LOG.warn("SANDBOX MODE: providers are the built-in simulators; set hub.sandbox.enabled=false for real providers");
        }

        var registry = context.getRegistry();
        registry.bind("objectMapper", mapper);
        registry.bind("providerCatalog", catalog);
        catalog.all().forEach(p -> registry.bind(p.name() + "Adapter", p));
        // instances sharing a PostgreSQL database share each provider's rate limit; embedded H2 is one instance
        // (a permit left taken by a stopped instance is free again after twice the HTTP timeouts and 30 s)
        ClusterRateLimits sharedLimits = dataSource.getJdbcUrl().startsWith("jdbc:postgresql:") ? new ClusterRateLimits(dataSource,
                Duration.ofMillis(2 * (settings.number("camel.component.http.connect-timeout")
                        + settings.number("camel.component.http.response-timeout"))).plusSeconds(30)) : null;
        if (sharedLimits != null) {
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    sharedLimits.close();
                }
            }, true, true);
        }
        ProviderGuards guards = new ProviderGuards(ProviderGuards.breakerConfig(
                settings.decimal("hub.circuit-breaker.failure-rate"),
                settings.integer("hub.circuit-breaker.minimum-calls"),
                settings.integer("hub.circuit-breaker.window"),
                settings.seconds("hub.circuit-breaker.open-seconds"),
                settings.integer("hub.circuit-breaker.half-open-calls")),
                settings.number("hub.providers.max-wait-ms"), sharedLimits,
                context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "rate-limit-permits"));
        registry.bind("circuitBreakers", guards.breakers());
        for (ProviderAdapter provider : catalog.all()) {
            registry.bind(provider.name() + "CircuitBreaker", guards.breaker(provider.name()));
            guards.rateLimit(provider.name(), Integer.parseInt(providerSetting(settings, provider.name(), "rate-limit")));
        }
        // each provider's routes, from the templates (or its own route file); max-concurrency is 64 unless set
        registry.bind("providerRoutes", new ProviderRoutes(catalog, catalog.names().stream().collect(Collectors.toMap(
                name -> name, name -> Integer.parseInt(providerSetting(settings, name, "max-concurrency"))))));
        registry.bind("apiDocument", new ApiDocument(mapper, catalog, defaultProviders));
        registry.bind("providerCalls", new ProviderCalls(catalog, guards,
                settings.integer("hub.retry.max-attempts"), settings.number("hub.retry.max-retry-after-ms")));
        registry.bind("merchantLinks", merchantLinks);
        Onboardings onboardings = new Onboardings(new RequestReader(mapper, catalog, defaultProviders), store, mapper,
                settings.seconds("hub.onboarding.abandoned-after-seconds"),
                catalog, accountKeys, merchantLinks);
        registry.bind("onboardings", onboardings);
        // how long the bus, batches and results already paid for by provider calls wait for the database to come back
        OutageWait outageWait = new OutageWait(settings.seconds("hub.outage.max-wait-seconds"),
                settings.millis("hub.outage.max-backoff-ms"));
        registry.bind("outageWait", outageWait);
        onboardings.waitOutagesWith(outageWait);
        registry.bind("onboardingStore", store);
        registry.bind("hubDataSource", dataSource);
        registry.bind("databaseReadiness", new ReadinessCheck("database", () -> {
            try (var connection = dataSource.getConnection()) {
                if (!connection.isValid(2)) {
                    throw new SQLException("connection not valid");
                }
            }
        }));
        // a port already taken stops the start-up with one line; unknown paths and wrong methods answer JSON
        context.addStartupListener(new HttpListeners(mapper));
        registry.bind("restApiReadiness", new ReadinessCheck("rest-api", () -> {
            if (!HttpListeners.serving(context, false)) {
                throw new IllegalStateException("the REST listener is not serving");
            }
        }));
        registry.bind("providerResultsAggregation", new ProviderResultsAggregation());
        HubMetrics metrics = HubMetrics.bindTo(context);
        registry.bind("hubMetrics", metrics);
        // the provider routes and the onboarding route feed the meters through route policies, not route steps
        context.addRoutePolicyFactory(new MeteredRoutes(metrics));
        onboardings.countRepeatsWith(metrics::providerCallRepeated);
        // resilience4j_circuitbreaker_state{name=<provider>, state=closed|open|half_open|...} and its call counters
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(guards.breakers()).bindTo(metrics.registry());
        registry.bind("callbacks", callbacks);
        callbacks.countCompletionsWith(metrics::merchantActionCompleted);
        registry.bind("merchantPage", new MerchantPage(merchantLinks, store, catalog, accountKeys, new PageTemplates(), metrics));
        ApiClients clients = ApiClients.from(settings.names(), settings::raw, sandboxMode);
        registry.bind("api", new Api(clients, new KeyGuessThrottle(settings.integer("hub.api.refused-keys-per-minute")), mapper));
        // the HTTP servers' Vert.x: a REST onboarding holds a worker thread until its result is stored, so the worker
        // pool (Vert.x's default is 20) is how many REST onboardings run at once
        Vertx vertx = HttpServerLimits.apply(Vertx.vertx(new VertxOptions()
                        .setWorkerPoolSize(settings.integer("hub.api.worker-threads"))),
                settings.integer("hub.http.idle-timeout-seconds"), settings.integer("hub.http.max-connections"),
                settings.integer("hub.http.max-connections-per-address"));
        registry.bind("vertx", vertx);
        // closed once the context stopped: the REST and management servers run on it and close their listeners
        // on it as they stop (closed before, their stop failed with a WARN and a stack trace)
        context.addLifecycleStrategy(LifecycleStrategySupport.adapt(LifecycleStrategySupport.onCamelContextStopped(
                stopped -> vertx.close().toCompletionStage().toCompletableFuture().join())));
        // provider calls block a thread each; no queue, so a burst gets new threads (up to the maximum) instead of
        // waiting behind the core ones: 64 onboardings in flight make 256 concurrent calls
        registry.bind("providerCallPool", context.getExecutorServiceManager().newThreadPool(this, "provider-calls",
                new ThreadPoolProfileBuilder("provider-calls")
                        .poolSize(settings.integer("hub.providers.pool-size"))
                        .maxPoolSize(settings.integer("hub.providers.pool-max-size"))
                        .maxQueueSize(0).build()));
        // the Hawtio console (hub.hawtio.*), started and stopped with the context; deployed once the routes run
        HawtioConsole console = HawtioConsole.fromSettings(settings, sandboxMode);
        context.addService(console, true, true);
        context.addStartupListener(console);
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() throws IOException {
                if (sandbox != null) {
                    sandbox.close();
                }
                store.close();
                dataSource.close();
                if (dataDirLock != null) {
                    dataDirLock.close();
                }
            }
        }, true, true);
        // added after the service that closes the data source, so stopped before it
        if (H2Compaction.appliesTo(dataSource.getJdbcUrl())) {
            context.addService(new H2Compaction(context, dataSource), true, true);
        }
    }

    static ObjectMapper objectMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .build();
        // hostile input: no absurdly deep documents
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(JsonViolations.MAX_NESTING_DEPTH).build());
        // "name": 123 or "lat": "x" is a type error, not silently converted
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        return mapper;
    }

    /**
     * A provider's own setting ({@code hub.providers.<name>.<key>}), or for the keys every provider has, the value a
     * provider without settings in application.properties gets.
     */
    static String providerSetting(Settings settings, String provider, String key) {
        return settings.optional("hub.providers." + provider + "." + key).orElse(PROVIDER_DEFAULTS.getOrDefault(key, ""));
    }

    private static ProviderSettings providerSettings(Settings settings, ProviderAdapter provider, Sandbox sandbox) {
        boolean enabled = Boolean.parseBoolean(providerSetting(settings, provider.name(), "enabled"));
        Map<String, String> values = new LinkedHashMap<>();
        if (sandbox != null) {
            values.putAll(provider.sandbox().credentials());
            return new ProviderSettings(provider.name(), enabled, sandbox.baseUrl(provider), values);
        }
        for (String key : provider.settingKeys()) {
            values.put(key, providerSetting(settings, provider.name(), key));
        }
        return new ProviderSettings(provider.name(), enabled, providerSetting(settings, provider.name(), "base-url"), values);
    }

    static HikariDataSource dataSource(Settings settings, Path dataDir) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("hub-db");
        // WRITE_DELAY=0: H2 otherwise keeps the last second of commits in memory, lost if the process is killed;
        // DB_CLOSE_ON_EXIT=FALSE: the hub closes the database after its routes stopped (H2's own shutdown hook would
        // close it under the work still finishing on SIGTERM)
        config.setJdbcUrl(settings.optional("hub.db.url").orElse("jdbc:h2:file:" + dataDir.resolve("db").resolve("hub")
                + ";WRITE_DELAY=0;RETENTION_TIME=5000;DB_CLOSE_ON_EXIT=FALSE"));
        config.setUsername(settings.string("hub.db.username"));
        config.setPassword(settings.string("hub.db.password"));
        config.setMaximumPoolSize(settings.integer("hub.db.pool-size"));
        // an unreachable database fails requests (and the readiness check) within seconds, not Hikari's 30
        config.setConnectionTimeout(settings.number("hub.db.connection-timeout-ms"));
        // a connection broken by an outage is never handed out again once the database is back
        config.setExceptionOverrideClassName(BrokenConnectionEviction.class.getName());
        return new HikariDataSource(config);
    }

    /** {@code hub.callback.secret}, or a random key kept under the data dir (set the secret when instances share a database). */
    private static byte[] callbackKey(Settings settings, Path dataDir) throws IOException {
        String secret = settings.string("hub.callback.secret");
        return !secret.isBlank() ? secret.getBytes(StandardCharsets.UTF_8)
                : keyFile(dataDir.resolve("keys").resolve("callback.key"), "callback signing key");
    }

    /**
     * {@code hub.crypto.key}: comma-separated keys (base64, 32 bytes each), the first encrypting and all decrypting;
     * or a random key kept under the data dir.
     */
    static List<byte[]> cryptoKeys(Settings settings, Path dataDir, boolean sandboxMode) throws IOException {
        List<String> encoded = settings.list("hub.crypto.key");
        if (!encoded.isEmpty()) {
            List<byte[]> keys = new ArrayList<>();
            for (int i = 0; i < encoded.size(); i++) {
                try {
                    keys.add(Base64.getDecoder().decode(encoded.get(i)));
                } catch (IllegalArgumentException e) {
                    // not chained: its message quotes a character of the key
                    throw new IllegalArgumentException("hub.crypto.key: key " + (i + 1) + " of " + encoded.size() + " is not base64");
                }
            }
            return keys;
        }
        Path file = dataDir.resolve("keys").resolve("results.key");
        if (!sandboxMode && !Files.exists(file)) {
            LOG.warn("hub.crypto.key is not set: stored credentials are encrypted with a generated key kept in {};"
                    + " set hub.crypto.key (HUB_CRYPTO_KEY) to keep the key apart from the data", file);
        }
        return List.of(keyFile(file, "key for stored results"));
    }

    /**
     * The data dir holds stored credentials, keys, the broker journal and dropped files: it and the folders the
     * embedded database and broker write into are rwx------ before they start (see {@link DataDirPermissions}).
     */
    private static void ownerOnly(Path dataDir, boolean embeddedDatabase, boolean embeddedBroker) throws IOException {
        List<String> folders = new ArrayList<>(List.of("keys"));
        if (embeddedDatabase) {
            folders.addAll(DataDirPermissions.DATABASE_FOLDERS);
        }
        if (embeddedBroker) {
            folders.addAll(DataDirPermissions.BROKER_FOLDERS);
        }
        try {
            DataDirPermissions.prepare(dataDir, folders);
        } catch (IOException e) {
            if (!Files.isDirectory(dataDir)) {
                throw e;
            }
            LOG.warn("cannot make {} readable by its owner only: {}", dataDir, e.getClass().getSimpleName());
        }
    }

    /** The file-drop folders (inbox, outbox, leader folder), left to the file-drop channel's own permissions. */
    private static java.util.Set<Path> fileDropFolders(Settings settings) {
        Path inbox = Path.of(settings.string("hub.file.inbox")).toAbsolutePath().normalize();
        return java.util.Set.of(inbox, Path.of(settings.string("hub.file.outbox")).toAbsolutePath().normalize(),
                Path.of(settings.optional("hub.file.leader-dir").orElse(inbox.resolve(".leader").toString())).toAbsolutePath().normalize());
    }

    /** Reads a random 32-byte key, creating it (owner-only) on first use. */
    private static byte[] keyFile(Path file, String what) throws IOException {
        if (Files.exists(file)) {
            return Files.readAllBytes(file);
        }
        Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, key);
        LOG.info("generated a {} in {}", what, file);
        return key;
    }
}
