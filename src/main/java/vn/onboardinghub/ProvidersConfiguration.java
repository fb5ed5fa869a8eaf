package vn.onboardinghub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onboardinghub.core.AccountKeys;
import vn.onboardinghub.core.CallbackSigner;
import vn.onboardinghub.core.Callbacks;
import vn.onboardinghub.providers.ClusterRateLimits;
import vn.onboardinghub.providers.InputField;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderCalls;
import vn.onboardinghub.providers.ProviderCatalog;
import vn.onboardinghub.providers.ProviderGuards;
import vn.onboardinghub.providers.ProviderRoutes;
import vn.onboardinghub.providers.ProviderSettings;
import vn.onboardinghub.sandbox.Sandbox;
import vn.onboardinghub.store.OnboardingStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.stream.Collectors;

/**
 * Second of the hub's wiring, after {@link StoreConfiguration}: the providers ({@code providerCatalog}, each
 * {@code <name>Adapter} configured from {@code hub.providers.<name>.*} or the sandbox's simulators), the callbacks
 * they are given ({@code callbacks}, {@code accountKeys}), their guards ({@code circuitBreakers},
 * {@code <name>CircuitBreaker}, rate limits), {@code providerCalls}, {@code providerRoutes} and the threads the calls
 * run on ({@code providerCallPool}).
 */
public class ProvidersConfiguration implements CamelConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(ProvidersConfiguration.class);
    /**
     * What a provider without these settings in application.properties gets ({@code hub.providers.<name>.<key>}): a
     * provider added by a package of its own needs only its base-url and credentials.
     */
    static final Map<String, String> PROVIDER_DEFAULTS = Map.of("enabled", "true", "max-concurrency", "64",
            "rate-limit", "0", "base-url", "");

    /** Null outside sandbox mode. */
    private Sandbox sandbox;
    /** Null unless instances share a PostgreSQL database. */
    private ClusterRateLimits sharedLimits;

    /** The catalog, its providers configured; binds each as {@code <name>Adapter}, and the callbacks they were given. */
    @BindToRegistry("providerCatalog")
    public ProviderCatalog providerCatalog(CamelContext context, @BeanInject("objectMapper") ObjectMapper mapper,
            @BeanInject("onboardingStore") OnboardingStore store) throws IOException {
        Settings settings = Settings.of(context);
        boolean sandboxMode = settings.bool("hub.sandbox.enabled");
        ProviderCatalog catalog = new ProviderCatalog(mapper, settings.list("hub.providers.packages"));
        // Camel's log mask (camel.main.log-mask) also hides the fields the providers declare secret, whatever their names
        String existing = context.getCamelContextExtension().getAdditionalSensitiveKeywords();
        String declaredSecrets = catalog.all().stream().flatMap(p -> p.inputFields().stream()).filter(InputField::isSecret)
                .map(InputField::name).distinct().collect(Collectors.joining(","));
        if (!declaredSecrets.isEmpty()) {
            context.getCamelContextExtension().setAdditionalSensitiveKeywords(
                    existing == null || existing.isBlank() ? declaredSecrets : existing + "," + declaredSecrets);
        }
        byte[] callbackKey = callbackKey(settings);
        AccountKeys accountKeys = new AccountKeys(callbackKey);
        Callbacks callbacks = new Callbacks(new CallbackSigner(callbackKey, Duration.ofHours(24), Clock.systemUTC()),
                settings.string("hub.public-base-url"), store, catalog, accountKeys);
        sandbox = sandboxMode ? new Sandbox(catalog.all()) : null;
        for (ProviderAdapter provider : catalog.all()) {
            provider.configure(providerSettings(settings, provider, sandbox), callbacks);
            LOG.info("provider {}: {}", provider.name(), provider.enabled() ? provider.settings().baseUrl() : "disabled");
        }
        List<String> defaultProviders = defaultProviders(settings, catalog);
        LOG.info("a request naming no provider asks {}", defaultProviders.isEmpty() ? "none (it is refused)" : defaultProviders);
        if (sandboxMode) {
            LOG.warn("SANDBOX MODE: providers are the built-in simulators; set hub.sandbox.enabled=false for real providers");
        }
        var registry = context.getRegistry();
        catalog.all().forEach(p -> registry.bind(p.name() + "Adapter", p));
        // made with the catalog: the providers are configured with them before anything else uses the catalog
        registry.bind("callbacks", callbacks);
        registry.bind("accountKeys", accountKeys);
        return catalog;
    }

    /** The provider calls, guarded; binds {@code circuitBreakers} and each {@code <name>CircuitBreaker}. */
    @BindToRegistry("providerCalls")
    public ProviderCalls providerCalls(CamelContext context, @BeanInject("providerCatalog") ProviderCatalog catalog,
            @BeanInject("hubDataSource") HikariDataSource dataSource) {
        Settings settings = Settings.of(context);
        // instances sharing a PostgreSQL database share each provider's rate limit; embedded H2 is one instance
        // (a permit left taken by a stopped instance is free again after twice the HTTP timeouts and 30 s)
        sharedLimits = dataSource.getJdbcUrl().startsWith("jdbc:postgresql:") ? new ClusterRateLimits(dataSource,
                Duration.ofMillis(2 * (settings.number("camel.component.http.connect-timeout")
                        + settings.number("camel.component.http.response-timeout"))).plusSeconds(30),
                context.getExecutorServiceManager().newSingleThreadExecutor(this, "rate-limit-returns")) : null;
        ProviderGuards guards = new ProviderGuards(ProviderGuards.breakerConfig(
                settings.decimal("hub.circuit-breaker.failure-rate"),
                settings.integer("hub.circuit-breaker.minimum-calls"),
                settings.integer("hub.circuit-breaker.window"),
                settings.seconds("hub.circuit-breaker.open-seconds"),
                settings.integer("hub.circuit-breaker.half-open-calls")),
                settings.number("hub.providers.max-wait-ms"), sharedLimits,
                context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "rate-limit-permits"));
        var registry = context.getRegistry();
        registry.bind("circuitBreakers", guards.breakers());
        for (ProviderAdapter provider : catalog.all()) {
            registry.bind(provider.name() + "CircuitBreaker", guards.breaker(provider.name()));
            guards.rateLimit(provider.name(), Integer.parseInt(providerSetting(settings, provider.name(), "rate-limit")));
        }
        return new ProviderCalls(catalog, guards,
                settings.integer("hub.retry.max-attempts"), settings.number("hub.retry.max-retry-after-ms"));
    }

    /** Each provider's routes, from the templates (or its own route file); max-concurrency is 64 unless set. */
    @BindToRegistry("providerRoutes")
    public ProviderRoutes providerRoutes(CamelContext context, @BeanInject("providerCatalog") ProviderCatalog catalog) {
        Settings settings = Settings.of(context);
        return new ProviderRoutes(catalog, catalog.names().stream().collect(Collectors.toMap(
                name -> name, name -> Integer.parseInt(providerSetting(settings, name, "max-concurrency")))));
    }

    /**
     * Provider calls block a thread each; no queue, so a burst gets new threads (up to the maximum) instead of
     * waiting behind the core ones: 64 onboardings in flight make 256 concurrent calls.
     */
    @BindToRegistry("providerCallPool")
    public ExecutorService providerCallPool(CamelContext context) {
        Settings settings = Settings.of(context);
        return context.getExecutorServiceManager().newThreadPool(this, "provider-calls",
                new ThreadPoolProfileBuilder("provider-calls")
                        .poolSize(settings.integer("hub.providers.pool-size"))
                        .maxPoolSize(settings.integer("hub.providers.pool-max-size"))
                        .maxQueueSize(0).build());
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        if (sharedLimits != null) {
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    sharedLimits.close();
                }
            }, true, true);
        }
        // added after the service that closes the store (StoreConfiguration), so the simulators stop before it
        if (sandbox != null) {
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    sandbox.close();
                }
            }, true, true);
        }
    }

    /**
     * A request naming no provider gets hub.providers.default, not every provider: one added later (perhaps with
     * inputs it requires) is asked only by requests naming it. A disabled provider listed there is left out, as it
     * was when the default was every enabled provider.
     */
    static List<String> defaultProviders(Settings settings, ProviderCatalog catalog) {
        return catalog.enabledNames().stream().filter(SettingsCheck.providerNames(
                "hub.providers.default", settings.raw("hub.providers.default"), catalog.names())::contains).toList();
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

    /** {@code hub.callback.secret}, or a random key kept under the data dir (set the secret when instances share a database). */
    static byte[] callbackKey(Settings settings) throws IOException {
        String secret = settings.string("hub.callback.secret");
        return !secret.isBlank() ? secret.getBytes(StandardCharsets.UTF_8) : StoreConfiguration.keyFile(
                Path.of(settings.string("hub.data-dir")).toAbsolutePath().resolve("keys").resolve("callback.key"), "callback signing key");
    }
}
