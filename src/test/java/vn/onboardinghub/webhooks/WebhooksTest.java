package vn.onboardinghub.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.Docs;
import vn.onboardinghub.TestHub;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Callers hear about every change of their onboardings (docs/contract.md "Webhooks"): signed as Standard Webhooks
 * (checked with the reference library), also while a secret is rotated; delivered at least once, in order per
 * onboarding, to a receiver that was down for a while; never followed through a redirect; never with credentials.
 */
class WebhooksTest {
    static final String ERP = "erp-key-0123456789abcdef";
    static final String POS = "pos-key-0123456789abcdef";
    static final String REDIR = "redir-key-0123456789abcdef";
    static final String SHOP = "shop-key-0123456789abcdef";
    static final String OLD_SECRET = secret();
    static final String NEW_SECRET = secret();
    static final String POS_SECRET = secret();
    static TestHub hub;
    static WebhookReceiver erp;
    static WebhookReceiver pos;
    static WebhookReceiver redirecting;
    static WebhookReceiver redirectTarget;

    @BeforeAll
    static void start() throws Exception {
        erp = new WebhookReceiver(NEW_SECRET);
        pos = new WebhookReceiver(POS_SECRET);
        redirecting = new WebhookReceiver(POS_SECRET);
        redirectTarget = new WebhookReceiver(POS_SECRET);
        redirecting.redirectTo(redirectTarget.url());
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("hub.sandbox.enabled", "true");
        settings.put("hub.api.keys", "");
        settings.put("hub.api.clients.erp.keys", ERP);
        // rotating: the old secret and the new one, both signing
        settings.put("hub.api.clients.erp.webhook-url", erp.url());
        settings.put("hub.api.clients.erp.webhook-secret", OLD_SECRET + ", " + NEW_SECRET);
        settings.put("hub.api.clients.pos.keys", POS);
        settings.put("hub.api.clients.pos.webhook-url", pos.url());
        settings.put("hub.api.clients.pos.webhook-secret", POS_SECRET);
        settings.put("hub.api.clients.redir.keys", REDIR);
        settings.put("hub.api.clients.redir.webhook-url", redirecting.url());
        settings.put("hub.api.clients.redir.webhook-secret", POS_SECRET);
        settings.put("hub.api.clients.shop.keys", SHOP);
        settings.put("hub.webhooks.poll-ms", "100");
        settings.put("hub.webhooks.retry-initial-ms", "100");
        settings.put("hub.webhooks.retry-max-ms", "400");
        hub = TestHub.start(settings);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        List.of(erp, pos, redirecting, redirectTarget).forEach(WebhookReceiver::close);
    }

    @Test
    void aWebhookIsSignedAsStandardWebhooksUnderEachSecretWhileRotating() throws Exception {
        JsonNode result = onboard("sig-1", "[\"ahamove\"]", ERP);
        String id = result.path("onboardingId").asText();

        WebhookReceiver.Received got = await().atMost(Duration.ofSeconds(20)).until(() -> erp.received().stream()
                .filter(r -> r.json().at("/data/onboardingId").asText().equals(id)).findFirst(), java.util.Optional::isPresent).get();

        assertThat(got.headers().get("webhook-id").get(0)).startsWith("evt_");
        assertThat(got.headers().get("webhook-signature").get(0).split(" ")).hasSize(2).allMatch(s -> s.startsWith("v1,"));
        assertThat(got.headers().get("content-type").get(0)).startsWith("application/json");
        // the receiver knowing either secret accepts it
        assertThat(WebhookReceiver.verifies(OLD_SECRET, got.headers(), got.body())).isTrue();
        assertThat(WebhookReceiver.verifies(NEW_SECRET, got.headers(), got.body())).isTrue();
        assertThat(WebhookReceiver.verifies(secret(), got.headers(), got.body())).as("another secret").isFalse();
        assertThat(WebhookReceiver.verifies(NEW_SECRET, got.headers(), got.body().replace("SUCCEEDED", "FAILED")))
                .as("a tampered body").isFalse();
        // a message signed correctly but 6 minutes old (a replay) is refused by the reference verification
        long old = Instant.now().minusSeconds(360).getEpochSecond();
        Map<String, List<String>> replayed = new LinkedHashMap<>(got.headers());
        replayed.put("webhook-timestamp", List.of(String.valueOf(old)));
        replayed.put("webhook-signature", List.of(new Webhook(NEW_SECRET).sign(got.id(), old, got.body())));
        assertThat(WebhookReceiver.verifies(NEW_SECRET, replayed, got.body())).isFalse();

        JsonNode event = got.json();
        assertThat(names(event)).containsExactly("type", "timestamp", "data");
        assertThat(event.path("type").asText()).isEqualTo("onboarding.completed");
        assertThat(Instant.parse(event.path("timestamp").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(names(event.path("data"))).containsExactly("onboardingId", "requestId", "externalId", "client", "status", "providers");
        assertThat(event.path("data").path("client").asText()).isEqualTo("erp");
        assertThat(event.path("data").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(event.at("/data/providers/ahamove/status").asText()).isEqualTo("SUCCEEDED");
        assertNoCredentials(result, got.body());
    }

    @Test
    void aReceiverThatWasDownGetsEveryEventOnceBackInOrderPerOnboarding() throws Exception {
        pos.answer(503);
        JsonNode waiting = onboard("down-1", "[\"ahamove\", \"its\"]", POS);
        assertThat(waiting.path("status").asText()).isEqualTo("ACTION_REQUIRED");
        JsonNode done = onboard("down-2", "[\"ahamove\"]", POS);
        String waitingId = waiting.path("onboardingId").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> deliveries(POS).stream().anyMatch(d -> d.path("attempts").asInt() >= 2
                && d.path("lastStatus").asInt() == 503 && d.path("state").asText().equals("PENDING")));
        // the merchant authorizes ITS meanwhile: a change of a stored result
        authorizeIts(waiting);
        JsonNode authorized = json(hub.get("/api/v1/onboardings/" + waitingId, POS));
        assertThat(authorized.path("status").asText()).isEqualTo("SUCCEEDED");

        pos.stop();
        await().atMost(Duration.ofSeconds(20)).until(() -> deliveries(POS).stream()
                .anyMatch(d -> "connection refused".equals(d.path("lastError").asText())));
        pos.answer(204);
        pos.start();

        await().atMost(Duration.ofSeconds(30)).until(() -> deliveries(POS).stream()
                .allMatch(d -> d.path("state").asText().equals("DELIVERED")) && deliveries(POS).size() == 3);
        List<WebhookReceiver.Received> verified = pos.verified();
        List<String> ofWaiting = verified.stream().map(WebhookReceiver.Received::json)
                .filter(e -> e.at("/data/onboardingId").asText().equals(waitingId)).map(e -> e.path("type").asText()).toList();
        assertThat(ofWaiting).containsExactly("onboarding.action_required", "onboarding.updated");
        // every verified delivery of the first event came before the first of the second: in order, whatever was retried
        List<String> arrivals = pos.received().stream().filter(r -> WebhookReceiver.verifies(POS_SECRET, r.headers(), r.body()))
                .map(WebhookReceiver.Received::json).filter(e -> e.at("/data/onboardingId").asText().equals(waitingId))
                .map(e -> e.path("type").asText()).toList();
        assertThat(arrivals.lastIndexOf("onboarding.action_required")).isLessThan(arrivals.indexOf("onboarding.updated"));
        JsonNode first = verified.stream().map(WebhookReceiver.Received::json)
                .filter(e -> e.path("type").asText().equals("onboarding.action_required")).findFirst().orElseThrow();
        assertThat(first.at("/data/status").asText()).isEqualTo("ACTION_REQUIRED");
        assertThat(first.at("/data/providers/its/status").asText()).isEqualTo("ACTION_REQUIRED");
        assertThat(first.at("/data/providers/its/action").asText()).isEqualTo("AUTHORIZE");
        assertThat(first.at("/data/merchantLink/url").asText()).isEqualTo(waiting.at("/merchantLink/url").asText());
        // as docs/contract.md "Webhooks" shows it
        JsonNode documented = WebhookReceiver.MAPPER.readTree(Docs.read("docs/contract.md").codeBlock("## Webhooks", "json", 0));
        assertThat(names(first)).isEqualTo(names(documented));
        assertThat(names(first.path("data"))).isEqualTo(names(documented.path("data")));
        assertThat(names(first.at("/data/providers/its"))).isEqualTo(names(documented.at("/data/providers/its")));
        assertThat(names(first.at("/data/merchantLink"))).isEqualTo(names(documented.at("/data/merchantLink")));
        JsonNode updated = verified.stream().map(WebhookReceiver.Received::json)
                .filter(e -> e.path("type").asText().equals("onboarding.updated")).findFirst().orElseThrow();
        assertThat(updated.at("/data/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(updated.at("/data/providers/its/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(updated.path("data").has("merchantLink")).isFalse();
        assertThat(verified.stream().map(WebhookReceiver.Received::json)
                .filter(e -> e.at("/data/onboardingId").asText().equals(done.path("onboardingId").asText()))
                .map(e -> e.path("type").asText())).containsExactly("onboarding.completed");
        for (WebhookReceiver.Received r : pos.received()) {
            assertNoCredentials(authorized, r.body());
            assertNoCredentials(done, r.body());
        }

        // the list: newest first, each delivered after more than one attempt for the ones sent while it was down
        List<JsonNode> listed = deliveries(POS);
        assertThat(listed).extracting(d -> d.path("type").asText())
                .containsExactly("onboarding.updated", "onboarding.completed", "onboarding.action_required");
        assertThat(listed.get(2).path("attempts").asInt()).isGreaterThan(1);
        assertThat(names(listed.get(0))).containsExactly("eventId", "type", "onboardingId", "state", "attempts", "lastStatus",
                "lastError", "nextAttemptAt", "createdAt", "lastAttemptAt", "deliveredAt");
        assertThat(names(listed.get(0))).isEqualTo(names(WebhookReceiver.MAPPER.readTree(
                Docs.read("docs/contract.md").codeBlock("## Webhooks", "json", 1)).get(0)));
        assertThat(listed.get(0).path("lastStatus").asInt()).isEqualTo(204);

        // queued again: the same event (same webhook-id) arrives once more
        String eventId = listed.get(1).path("eventId").asText();
        int before = pos.received().size();
        HttpResponse<String> again = hub.post("/api/v1/webhooks/deliveries/" + eventId + "/redeliver", "", POS);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> pos.received().stream().skip(before).anyMatch(r -> r.id().equals(eventId)
                && WebhookReceiver.verifies(POS_SECRET, r.headers(), r.body())));
        await().atMost(Duration.ofSeconds(20)).until(() -> deliveries(POS).get(1).path("state").asText().equals("DELIVERED"));
        assertThat(hub.post("/api/v1/webhooks/deliveries/" + eventId + "/redeliver", "", SHOP).statusCode())
                .as("another client's event").isEqualTo(404);
        assertThat(hub.post("/api/v1/webhooks/deliveries/evt_unknown/redeliver", "", POS).statusCode()).isEqualTo(404);
        assertThat(deliveries(SHOP)).as("a client without webhook").isEmpty();
    }

    @Test
    void theMerchantsActionOnTheMerchantPageIsAnUpdate() throws Exception {
        JsonNode waiting = onboard("page-1", "[\"its\"]", ERP);
        String id = waiting.path("onboardingId").asText();
        String page = waiting.at("/merchantLink/url").asText();
        HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        // the merchant presses the ITS button (a fresh authorization: nothing the caller needs to hear), logs in at ITS
        HttpResponse<String> pressed = browser.send(HttpRequest.newBuilder(URI.create(page + "/its")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(pressed.statusCode()).as(pressed.body()).isEqualTo(303);
        HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(pressed.headers().firstValue("Location").orElseThrow()))
                .build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> back = browser.send(HttpRequest.newBuilder(URI.create(login.headers().firstValue("Location").orElseThrow()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(back.headers().firstValue("Location")).hasValue(page);

        await().atMost(Duration.ofSeconds(20)).until(() -> types(erp, id).size() == 2);
        assertThat(types(erp, id)).containsExactly("onboarding.action_required", "onboarding.updated");
        JsonNode updated = erp.verified().stream().map(WebhookReceiver.Received::json)
                .filter(e -> e.at("/data/onboardingId").asText().equals(id) && e.path("type").asText().equals("onboarding.updated"))
                .findFirst().orElseThrow();
        assertThat(updated.at("/data/status").asText()).isEqualTo("SUCCEEDED");
        assertNoCredentials(json(hub.get("/api/v1/onboardings/" + id, ERP)), updated.toString());
    }

    static List<String> types(WebhookReceiver receiver, String onboardingId) {
        return receiver.verified().stream().map(WebhookReceiver.Received::json)
                .filter(e -> e.at("/data/onboardingId").asText().equals(onboardingId)).map(e -> e.path("type").asText()).toList();
    }

    @Test
    void aRedirectIsNeverFollowedAndTheDeliveryShowsWhy() throws Exception {
        onboard("redir-1", "[\"ahamove\"]", REDIR);

        await().atMost(Duration.ofSeconds(20)).until(() -> deliveries(REDIR).stream().anyMatch(d -> d.path("lastStatus").asInt() == 302));
        JsonNode delivery = deliveries(REDIR).get(0);
        assertThat(delivery.path("state").asText()).isEqualTo("PENDING");
        assertThat(delivery.path("lastError").asText()).isEqualTo("answered 302: redirects are not followed");
        assertThat(redirecting.received()).isNotEmpty();
        assertThat(redirectTarget.received()).isEmpty();
    }

    static void assertNoCredentials(JsonNode result, String body) {
        assertThat(body).doesNotContain("credentials");
        for (JsonNode provider : result.path("results")) {
            for (JsonNode value : provider.path("credentials")) {
                assertThat(body).doesNotContain(value.asText());
            }
        }
    }

    static void authorizeIts(JsonNode result) throws Exception {
        HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(result.at("/results/its/action/url").asText())).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> callback = browser.send(HttpRequest.newBuilder(URI.create(login.headers().firstValue("Location").orElseThrow()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(200);
    }

    static JsonNode onboard(String requestId, String providers, String key) throws Exception {
        HttpResponse<String> response = hub.post("/api/v1/onboardings", "{\"requestId\": \"" + requestId + "\", \"merchant\":"
                + " {\"externalId\": \"" + requestId + "\", \"name\": \"Nguyễn Văn A\", \"phone\": \"0912345678\"},"
                + " \"providers\": " + providers + "}", key);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    static List<JsonNode> deliveries(String key) throws Exception {
        HttpResponse<String> response = hub.get("/api/v1/webhooks/deliveries", key);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> rows = new ArrayList<>();
        json(response).forEach(rows::add);
        return rows;
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return WebhookReceiver.MAPPER.readTree(response.body());
    }

    static List<String> names(JsonNode node) {
        return StreamSupport.stream(((Iterable<String>) node::fieldNames).spliterator(), false).toList();
    }

    static String secret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }
}
