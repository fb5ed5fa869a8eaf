package vn.onboardinghub;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.support.LifecycleStrategySupport;
import vn.onboardinghub.api.Api;
import vn.onboardinghub.api.ApiClients;
import vn.onboardinghub.api.ApiDocument;
import vn.onboardinghub.api.HttpListeners;
import vn.onboardinghub.api.HttpServerLimits;
import vn.onboardinghub.api.KeyGuessThrottle;
import vn.onboardinghub.core.AccountKeys;
import vn.onboardinghub.core.MerchantLinks;
import vn.onboardinghub.ops.ReadinessCheck;
import vn.onboardinghub.page.MerchantPage;
import vn.onboardinghub.page.PageTemplates;
import vn.onboardinghub.store.OnboardingStore;
import vn.onboardinghub.providers.ProviderCatalog;

/**
 * Fourth of the hub's wiring, after {@link OnboardingConfiguration}: the REST API's beans for
 * {@code routes/api.camel.yaml} ({@code api}: the clients' keys, {@code apiDocument}), the merchant page
 * ({@code merchantPage}), the HTTP servers' Vert.x
 * ({@code vertx}) and {@code restApiReadiness}.
 */
public class RestApiConfiguration implements CamelConfiguration {
    private Vertx vertx;

    @BindToRegistry("api")
    public Api api(CamelContext context, @BeanInject("objectMapper") ObjectMapper mapper) {
        Settings settings = Settings.of(context);
        ApiClients clients = ApiClients.from(settings.names(), settings::raw, settings.bool("hub.sandbox.enabled"));
        return new Api(clients, new KeyGuessThrottle(settings.integer("hub.api.refused-keys-per-minute")), mapper);
    }

    @BindToRegistry("apiDocument")
    public ApiDocument apiDocument(CamelContext context, @BeanInject("objectMapper") ObjectMapper mapper,
            @BeanInject("providerCatalog") ProviderCatalog catalog) {
        return new ApiDocument(mapper, catalog, ProvidersConfiguration.defaultProviders(Settings.of(context), catalog));
    }

    /** The merchant page ({@code routes/merchant-page.camel.yaml}), on the REST port. */
    @BindToRegistry("merchantPage")
    public MerchantPage merchantPage(@BeanInject("merchantLinks") MerchantLinks links,
            @BeanInject("onboardingStore") OnboardingStore store, @BeanInject("providerCatalog") ProviderCatalog catalog,
            @BeanInject("accountKeys") AccountKeys accountKeys) {
        return new MerchantPage(links, store, catalog, accountKeys, new PageTemplates());
    }

    /**
     * The HTTP servers' Vert.x: a REST onboarding holds a worker thread until its result is stored, so the worker
     * pool (Vert.x's default is 20) is how many REST onboardings run at once.
     */
    @BindToRegistry("vertx")
    public Vertx vertx(CamelContext context) {
        Settings settings = Settings.of(context);
        vertx = HttpServerLimits.apply(Vertx.vertx(new VertxOptions()
                        .setWorkerPoolSize(settings.integer("hub.api.worker-threads"))),
                settings.integer("hub.http.idle-timeout-seconds"), settings.integer("hub.http.max-connections"),
                settings.integer("hub.http.max-connections-per-address"));
        return vertx;
    }

    @BindToRegistry("restApiReadiness")
    public ReadinessCheck restApiReadiness(CamelContext context) {
        return new ReadinessCheck("rest-api", () -> {
            if (!HttpListeners.serving(context, false)) {
                throw new IllegalStateException("the REST listener is not serving");
            }
        });
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        // a port already taken stops the start-up with one line; unknown paths and wrong methods answer JSON
        context.addStartupListener(new HttpListeners(context.getRegistry().lookupByNameAndType("objectMapper", ObjectMapper.class)));
        // closed once the context stopped: the REST and management servers run on it and close their listeners
        // on it as they stop (closed before, their stop failed with a WARN and a stack trace)
        context.addLifecycleStrategy(LifecycleStrategySupport.adapt(LifecycleStrategySupport.onCamelContextStopped(
                stopped -> vertx.close().toCompletionStage().toCompletableFuture().join())));
    }
}
