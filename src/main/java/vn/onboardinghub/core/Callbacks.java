package vn.onboardinghub.core;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import vn.onboardinghub.model.InvalidRequestException;
import vn.onboardinghub.model.Violation;
import vn.onboardinghub.model.OnboardingResult;
import vn.onboardinghub.model.ProviderResult;
import vn.onboardinghub.providers.CallbackUrls;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderCalls;
import vn.onboardinghub.providers.ProviderCatalog;
import vn.onboardinghub.store.OnboardingStore;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Provider callbacks ({@code GET /api/v1/callbacks/<provider>}): the hub-signed {@code state} authenticates the
 * browser's request and names the onboarding; the provider's callback route finishes its part; the stored result
 * is updated and the browser is sent on to the merchant's page.
 */
public class Callbacks implements CallbackUrls {
    private static final String STORED = "storedOnboarding";
    private static final Logger LOG = LoggerFactory.getLogger(Callbacks.class);

    private final CallbackSigner signer;
    private final String publicBaseUrl;
    private final OnboardingStore store;
    private final ProviderCatalog catalog;
    private final AccountKeys accountKeys;
    private volatile MerchantLinks merchantLinks;
    private volatile Consumer<String> merchantActionCompleted = provider -> { };

    public Callbacks(CallbackSigner signer, String publicBaseUrl, OnboardingStore store, ProviderCatalog catalog,
                     AccountKeys accountKeys) {
        this.signer = signer;
        this.publicBaseUrl = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
        this.store = store;
        this.catalog = catalog;
        this.accountKeys = accountKeys;
    }

    /** The merchant links whose page a browser that started from the merchant page is sent back to. */
    public void backToPageWith(MerchantLinks merchantLinks) {
        this.merchantLinks = merchantLinks;
    }

    /** Told the provider each time a provider that waited for the merchant succeeds through its callback. */
    public void countCompletionsWith(Consumer<String> merchantActionCompleted) {
        this.merchantActionCompleted = merchantActionCompleted;
    }

    @Override
    public String callbackUrl(String provider, String onboardingId) {
        return callbackUrl(provider, onboardingId, null);
    }

    @Override
    public String callbackUrl(String provider, String onboardingId, String pageLink) {
        return publicBaseUrl + "/api/v1/callbacks/" + provider + "?state="
                + URLEncoder.encode(signer.sign(provider, onboardingId, pageLink), StandardCharsets.UTF_8);
    }

    /**
     * Verifies the state and loads the onboarding it names, or refuses the callback. A state is accepted once: a
     * replayed one (e.g. to link the onboarding to another shop) is refused, in every instance sharing the database.
     */
    public void verify(Exchange exchange) {
        String provider = exchange.getMessage().getHeader("provider", String.class);
        String state = exchange.getMessage().getHeader("state", String.class);
        if (state != null && state.contains("?")) {
            // a provider that appends "?token=…" to a URL that already has a query: the rest is its own parameters
            state = state.substring(0, state.indexOf('?'));
        }
        CallbackSigner.State verified = signer.verify(state)
                .filter(s -> s.provider().equals(provider))
                .orElseThrow(() -> new InvalidRequestException(List.of(new Violation("state", "is not a valid or current callback state"))));
        OnboardingStore.Stored stored = store.find(verified.onboardingId())
                .orElseThrow(() -> new OnboardingNotFoundException(verified.onboardingId()));
        // only while the provider still waits for the merchant: once it is done (or failed), no other state of the
        // same onboarding (an older button press, the first action.url) can point it at another account
        ProviderResult waiting = stored.result().results().get(provider);
        if (waiting == null || waiting.status() != ProviderResult.ProviderStatus.ACTION_REQUIRED) {
            throw new InvalidRequestException(List.of(new Violation("state",
                    "names an onboarding whose " + provider + " step is no longer waiting for the merchant")));
        }
        // started from a merchant page: only while that link is current (a revoked or replaced link starts nothing)
        MerchantLinks links = merchantLinks;
        if (verified.fromPage() && (links == null || !links.isCurrent(verified.pageLink(), verified.onboardingId()))) {
            throw new InvalidRequestException(List.of(new Violation("state",
                    "was started from a merchant link that has been revoked, replaced or has expired")));
        }
        // recorded by what it names (provider, onboarding, expiry), not by the text given
        if (!store.useCallbackState(sha256(signer.canonical(verified)), signer.validity().plusHours(1))) {
            throw new InvalidRequestException(List.of(new Violation("state",
                    "has already been used: each authorization link completes its onboarding once")));
        }
        MDC.put(Onboardings.ID, verified.onboardingId());
        exchange.setProperty(Onboardings.ID, verified.onboardingId());
        exchange.setProperty(ProviderCalls.PROVIDER, provider);
        exchange.setProperty(ProviderAdapter.REQUEST, stored.request());
        exchange.setProperty(STORED, stored);
        exchange.setProperty(CallbackUrls.FROM_PAGE, verified.pageLink());
        exchange.setProperty("callbackRoute", "direct:callback-" + provider);
        // the provider route's result, collected as the fan-out collects them
        exchange.setProperty(ProviderResultsAggregation.RESULTS, Collections.synchronizedList(new ArrayList<ProviderResult>()));
    }

    /**
     * Stores the provider's new result; the reply is a redirect, or a short status without credentials. A flow the
     * merchant started from the merchant page goes back to that page, which
     * then offers the provider's own way on (e.g. ITS's {@code its.redirectUrl}); else to where the provider's callback
     * route says ({@link CallbackUrls#REDIRECT}).
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> complete(Exchange exchange) {
        ProviderResult providerResult = ((List<ProviderResult>) exchange.getProperty(ProviderResultsAggregation.RESULTS, List.class)).get(0);
        OnboardingStore.Stored stored = exchange.getProperty(STORED, OnboardingStore.Stored.class);
        OnboardingResult updated = stored.result().with(providerResult);
        store.save(updated, stored.request(), Map.of(providerResult.provider(),
                accountKeys.of(catalog.get(providerResult.provider()), stored.request())));
        LOG.info("onboarding {} callback from {}: {} → {}", updated.onboardingId(), providerResult.provider(),
                providerResult.status(), updated.status());
        ProviderResult before = stored.result().results().get(providerResult.provider());
        if (before != null && before.status() == ProviderResult.ProviderStatus.ACTION_REQUIRED
                && providerResult.status() == ProviderResult.ProviderStatus.SUCCEEDED) {
            merchantActionCompleted.accept(providerResult.provider());
        }
        String redirect = exchange.getProperty(REDIRECT, String.class);
        MerchantLinks links = merchantLinks;
        String pageLink = exchange.getProperty(CallbackUrls.FROM_PAGE, String.class);
        if (links != null && pageLink != null) {
            // back to the page the flow started from (its link was current when the callback came)
            redirect = links.pageUrl(pageLink);
        }
        exchange.getMessage().getHeaders().clear();
        if (redirect != null) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 302);
            exchange.getMessage().setHeader("Location", redirect);
        }
        return Map.of("onboardingId", updated.onboardingId(), "provider", providerResult.provider(),
                "providerStatus", providerResult.status(), "status", updated.status());
    }

    private static String sha256(String state) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(state.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
