package vn.onboardinghub.webhooks;

import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onboardinghub.Settings;
import vn.onboardinghub.events.OutboxRelay;
import vn.onboardinghub.ops.HubMetrics;
import vn.onboardinghub.ops.Traces;
import vn.onboardinghub.store.OnboardingStore;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Binds {@code webhookDeliveries} for {@code routes/webhooks.camel.yaml} and the webhook API routes: the API clients
 * with a {@code hub.api.clients.<name>.webhook-url} (checked before the start, see {@code SettingsCheck}), and tells
 * the result store ({@code onboardingStore}) to write their events to the outbox. Reads {@code hub.webhooks.*}.
 */
public class WebhooksConfiguration implements CamelConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(WebhooksConfiguration.class);
    private static final Pattern URL_KEY = Pattern.compile("hub\\.api\\.clients\\.([^.]+)\\.webhook-url");

    private WebhookDeliveries deliveries;

    @BindToRegistry("webhookDeliveries")
    public WebhookDeliveries webhookDeliveries(CamelContext context, @BeanInject("onboardingStore") OnboardingStore store) {
        Settings settings = Settings.of(context);
        Map<String, WebhookDeliveries.Target> targets = new LinkedHashMap<>();
        for (String key : settings.names()) {
            Matcher url = URL_KEY.matcher(key);
            if (url.matches() && settings.optional(key).isPresent()) {
                String client = url.group(1);
                targets.put(client, new WebhookDeliveries.Target(URI.create(settings.optional(key).get()),
                        WebhookSigner.of(settings.optional("hub.api.clients." + client + ".webhook-secret").orElse(""))));
            }
        }
        int concurrency = settings.integer("hub.webhooks.concurrency");
        ExecutorService executor = context.getExecutorServiceManager().newFixedThreadPool(this, "webhook-deliveries", concurrency);
        deliveries = new WebhookDeliveries(targets, store.outbox(),
                new WebhookTargets(settings.bool("hub.sandbox.enabled"), settings.bool("hub.webhooks.allow-private-targets")),
                new OutboxRelay.Retries(settings.millis("hub.webhooks.retry-initial-ms"),
                        settings.millis("hub.webhooks.retry-max-ms"), settings.seconds("hub.webhooks.give-up-after-seconds"),
                        Duration.ofDays(settings.number("hub.webhooks.keep-days"))),
                settings.millis("hub.webhooks.connect-timeout-ms"), settings.millis("hub.webhooks.response-timeout-ms"),
                executor, concurrency, context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "webhook-deadlines"),
                Traces.hubTracer(context));
        // from now on the store writes these clients' events with every change of their results
        store.sendEventsFor(deliveries::hasWebhook);
        if (!targets.isEmpty()) {
            LOG.info("webhooks: clients {} hear about every change of their onboardings", targets.keySet());
        }
        return deliveries;
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        HubMetrics metrics = context.getRegistry().lookupByNameAndType("hubMetrics", HubMetrics.class);
        if (metrics != null) {
            deliveries.relay().countWith(metrics::eventAttempt);
        }
        // its HTTP client closed once the routes stopped, before the store's data source is
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() throws IOException {
                deliveries.close();
            }
        }, true, true);
    }
}
