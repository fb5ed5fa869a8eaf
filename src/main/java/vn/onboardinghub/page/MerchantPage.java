package vn.onboardinghub.page;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import vn.onboardinghub.core.AccountKeys;
import vn.onboardinghub.core.MerchantLinks;
import vn.onboardinghub.core.Onboardings;
import vn.onboardinghub.core.ProviderResultsAggregation;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.OnboardingResult;
import vn.onboardinghub.model.ProviderResult;
import vn.onboardinghub.ops.HubMetrics;
import vn.onboardinghub.providers.CallbackUrls;
import vn.onboardinghub.providers.MerchantStep;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderCalls;
import vn.onboardinghub.providers.ProviderCatalog;
import vn.onboardinghub.store.InfrastructureUnavailableException;
import vn.onboardinghub.store.OnboardingStore;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The merchant page ({@code GET /m/<token>}, routes/merchant-page.camel.yaml; docs/contract.md "Merchant links"): the
 * token authenticates the request ({@link #authenticate}) and names the onboarding; the page lists each provider in
 * plain words with what the merchant can do, as the provider's adapter declares it
 * ({@link ProviderAdapter#merchantStep}). {@code GET /m/<token>/<provider>} is a button that starts the provider's
 * flow again at the moment it is pressed (e.g. a fresh ITS authorization) and sends the browser on.
 * The token never reaches a log line, an error message or another site (Referrer-Policy: no-referrer).
 */
public class MerchantPage {
    private static final Logger LOG = LoggerFactory.getLogger(MerchantPage.class);
    private static final Logger ACCESS = LoggerFactory.getLogger("vn.onboardinghub.api.access");
    static final Locale VIETNAMESE = Locale.forLanguageTag("vi");
    private static final String TOKEN = "merchantPageToken";
    private static final String STORED = "merchantPageStored";
    private static final String ACCESS_PATH = "merchantPageAccessPath";
    /** Exchange property: the provider route the pressed button runs, unset when there is nothing to start. */
    public static final String ACTION_ROUTE = "merchantActionRoute";

    private final MerchantLinks links;
    private final OnboardingStore store;
    private final ProviderCatalog catalog;
    private final AccountKeys accountKeys;
    private final PageTemplates templates;
    /** Counts nowhere until {@link #countWith} names the hub's meters. */
    private volatile HubMetrics metrics = new HubMetrics(new SimpleMeterRegistry());

    public MerchantPage(MerchantLinks links, OnboardingStore store, ProviderCatalog catalog, AccountKeys accountKeys,
                        PageTemplates templates) {
        this.links = links;
        this.store = store;
        this.catalog = catalog;
        this.accountKeys = accountKeys;
        this.templates = templates;
    }

    /** The meters of pages shown or refused, buttons pressed and actions completed from the page. */
    public void countWith(HubMetrics metrics) {
        this.metrics = metrics;
    }

    /** Before every page route: the token must be a current link, or the request gets the one bad-link page. */
    public void authenticate(Exchange exchange) {
        // a worker thread's earlier request must not lend this one its onboarding id
        MDC.remove(Onboardings.ID);
        Message message = exchange.getMessage();
        String provider = message.getHeader("provider", String.class);
        exchange.setProperty(ACCESS_PATH, "/m/<link>" + (provider == null ? "" : "/" + (catalog.names().contains(provider) ? provider : "?")));
        String token = message.getHeader("token", String.class);
        message.removeHeader("token");
        String onboardingId = links.onboardingOf(token).orElseThrow(BadLinkException::new);
        exchange.setProperty(TOKEN, token);
        exchange.setProperty(Onboardings.ID, onboardingId);
        MDC.put(Onboardings.ID, onboardingId);
    }

    /** {@code GET /m/<token>}: the page. */
    public void show(Exchange exchange) {
        OnboardingStore.Stored stored = stored(exchange);
        render(exchange, stored.result(), stored.request(), null);
        metrics.merchantLinkOpened(true);
    }

    /**
     * {@code GET /m/<token>/<provider>}: when the provider waits for the merchant and its adapter declares a
     * {@link MerchantStep.Kind#START} button, readies the exchange to run the provider's route
     * ({@link #ACTION_ROUTE}, on a copy of the exchange, as the ITS callback does); otherwise back to the page.
     */
    public void start(Exchange exchange) {
        String provider = exchange.getMessage().getHeader("provider", String.class);
        OnboardingStore.Stored stored = stored(exchange);
        ProviderResult result = catalog.names().contains(provider) ? stored.result().results().get(provider) : null;
        if (result == null || result.status() != ProviderResult.ProviderStatus.ACTION_REQUIRED
                || catalog.get(provider).merchantStep(result, stored.request(), locale(exchange)).kind() != MerchantStep.Kind.START) {
            redirect(exchange, links.urlOfToken(exchange.getProperty(TOKEN, String.class), langQuery(exchange)));
            return;
        }
        exchange.setProperty(ProviderCalls.PROVIDER, provider);
        exchange.setProperty(ProviderAdapter.REQUEST, stored.request());
        exchange.setProperty(STORED, stored);
        exchange.setProperty(CallbackUrls.FROM_PAGE, MerchantLinks.linkIdOf(exchange.getProperty(TOKEN, String.class)));
        exchange.setProperty(ProviderResultsAggregation.RESULTS, Collections.synchronizedList(new ArrayList<ProviderResult>()));
        exchange.setProperty(ACTION_ROUTE, "direct:provider-" + provider);
        metrics.merchantActionStarted(provider);
    }

    /**
     * After the provider's route: a new action with a URL (e.g. a fresh ITS {@code auth_url}) is stored and the browser
     * sent there (303); a success is stored and the browser sent back to the page; anything else leaves the result as
     * it was and the page says the step could not start.
     */
    @SuppressWarnings("unchecked")
    public void started(Exchange exchange) {
        List<ProviderResult> results = exchange.getProperty(ProviderResultsAggregation.RESULTS, List.class);
        OnboardingStore.Stored stored = exchange.getProperty(STORED, OnboardingStore.Stored.class);
        String provider = exchange.getProperty(ProviderCalls.PROVIDER, String.class);
        ProviderResult fresh = results == null || results.isEmpty() ? null : results.get(0);
        if (fresh != null && fresh.status() == ProviderResult.ProviderStatus.ACTION_REQUIRED && fresh.action() != null
                && webUrl(fresh.action().url())) {
            store.save(stored.result().with(fresh), stored.request(), Map.of());
            LOG.info("onboarding {}: the merchant started {} from the merchant page", stored.result().onboardingId(), provider);
            redirect(exchange, fresh.action().url());
        } else if (fresh != null && fresh.status() == ProviderResult.ProviderStatus.SUCCEEDED) {
            OnboardingResult updated = stored.result().with(fresh);
            store.save(updated, stored.request(), Map.of(provider, accountKeys.of(catalog.get(provider), stored.request())));
            metrics.merchantActionCompleted(provider);
            LOG.info("onboarding {}: {} succeeded from the merchant page → {}", updated.onboardingId(), provider, updated.status());
            redirect(exchange, links.urlOfToken(exchange.getProperty(TOKEN, String.class), langQuery(exchange)));
        } else {
            LOG.warn("onboarding {}: the merchant page could not start {}: {}", stored.result().onboardingId(), provider,
                    fresh == null ? "no result" : fresh.status() + (fresh.error() != null ? " " + fresh.error().code() : ""));
            render(exchange, stored.result(), stored.request(), catalog.get(provider).displayName());
        }
    }

    /** A failed page request: one page for every bad link (404), a short "try later" page for anything else. */
    public void error(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        boolean badLink = e instanceof BadLinkException;
        boolean outage = !badLink && InfrastructureUnavailableException.isOutage(e);
        if (badLink) {
            metrics.merchantLinkOpened(false);
        } else if (outage) {
            LOG.warn("merchant page answered 503: {}", e.getMessage());
        } else {
            LOG.error("merchant page failed: {}", e == null ? "unknown" : e.getClass().getName(), e);
        }
        respond(exchange, badLink ? 404 : outage ? 503 : 500,
                templates.render("error", locale(exchange), Map.of("kind", badLink ? "link" : "unavailable")));
        if (outage) {
            exchange.getMessage().setHeader("Retry-After", "10");
        }
    }

    private void render(Exchange exchange, OnboardingResult result, OnboardingRequest request, String notStarted) {
        Locale locale = locale(exchange);
        String token = exchange.getProperty(TOKEN, String.class);
        String lang = langQuery(exchange);
        List<Map<String, Object>> rows = new ArrayList<>();
        boolean allSet = true;
        for (Map.Entry<String, ProviderResult> entry : result.results().entrySet()) {
            String name = entry.getKey();
            ProviderResult r = entry.getValue();
            ProviderAdapter adapter = catalog.names().contains(name) ? catalog.get(name) : null;
            MerchantStep step = adapter == null ? MerchantStep.NONE : adapter.merchantStep(r, request, locale);
            String href = switch (step.kind()) {
                // relative to /m/<token>: /m/<token>/<provider>, behind any path prefix of hub.public-base-url
                case START -> token + "/" + name + lang;
                case OPEN, CONTINUE -> webUrl(step.url()) ? step.url() : null;
                default -> null;
            };
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", name);
            row.put("displayName", adapter == null ? name : adapter.displayName());
            row.put("state", switch (r.status()) {
                case SUCCEEDED -> "done";
                case ACTION_REQUIRED -> "todo";
                case FAILED -> "failed";
            });
            row.put("step", href == null && step.kind() != MerchantStep.Kind.INSTRUCTIONS ? "NONE" : step.kind().name());
            row.put("href", href);
            row.put("text", step.text());
            row.put("providerWords", step.providerWords());
            rows.add(row);
            allSet &= r.status() != ProviderResult.ProviderStatus.ACTION_REQUIRED;
        }
        // what is left to do first, then what is done, then what the company will see to
        rows.sort(Comparator.comparingInt(row -> List.of("todo", "done", "failed").indexOf(row.get("state"))));
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("merchantName", request == null ? "" : request.merchant().name());
        variables.put("rows", rows);
        variables.put("allSet", allSet);
        variables.put("notStarted", notStarted);
        respond(exchange, 200, templates.render("page", locale, variables));
    }

    /** Only http(s) addresses become links (no {@code javascript:} or {@code data:} from a provider's answer). */
    private static boolean webUrl(String url) {
        return url != null && (url.startsWith("https://") || url.startsWith("http://"));
    }

    private OnboardingStore.Stored stored(Exchange exchange) {
        return store.find(exchange.getProperty(Onboardings.ID, String.class)).orElseThrow(BadLinkException::new);
    }

    private void redirect(Exchange exchange, String location) {
        respond(exchange, 303, null);
        exchange.getMessage().setHeader("Location", location);
    }

    /** Only the page's own headers go out (no request header is echoed back: the token is one). */
    private void respond(Exchange exchange, int status, String html) {
        Message message = exchange.getMessage();
        String method = message.getHeader(Exchange.HTTP_METHOD, "GET", String.class);
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        if (html != null) {
            message.setHeader(Exchange.CONTENT_TYPE, "text/html; charset=utf-8");
        }
        message.setHeader("Content-Security-Policy", templates.contentSecurityPolicy());
        message.setHeader("Referrer-Policy", "no-referrer");
        // Cache-Control: no-store is set by HttpListeners (Camel's HTTP binding drops it here)
        message.setHeader("X-Robots-Tag", "noindex, nofollow");
        message.setHeader("X-Content-Type-Options", "nosniff");
        message.setHeader("X-Frame-Options", "DENY");
        message.setBody(html == null ? "" : html);
        ACCESS.info("client=merchant-page {} {} {} onboardingId={}", method,
                exchange.getProperty(ACCESS_PATH, "/m/<link>", String.class), status,
                exchange.getProperty(Onboardings.ID, "-", String.class));
        MDC.remove(Onboardings.ID);
    }

    /** {@code ?lang=en} or {@code ?lang=vi} as asked for, else the first of them in Accept-Language, else Vietnamese. */
    static Locale locale(Exchange exchange) {
        Object lang = exchange.getMessage().getHeader("lang");
        if ("en".equals(lang)) {
            return Locale.ENGLISH;
        }
        if ("vi".equals(lang)) {
            return VIETNAMESE;
        }
        String accept = exchange.getMessage().getHeader("Accept-Language", String.class);
        if (accept != null && accept.length() < 512) {
            try {
                for (Locale.LanguageRange range : Locale.LanguageRange.parse(accept)) {
                    String language = range.getRange().split("-", 2)[0];
                    if (range.getWeight() > 0 && language.equals("en")) {
                        return Locale.ENGLISH;
                    }
                    if (range.getWeight() > 0 && (language.equals("vi") || language.equals("*"))) {
                        return VIETNAMESE;
                    }
                }
            } catch (IllegalArgumentException malformed) {
                return VIETNAMESE;
            }
        }
        return VIETNAMESE;
    }

    /** The language the merchant chose on the page, carried on to the page's own links. */
    private static String langQuery(Exchange exchange) {
        Object lang = exchange.getMessage().getHeader("lang");
        return "en".equals(lang) || "vi".equals(lang) ? "?lang=" + lang : "";
    }
}
