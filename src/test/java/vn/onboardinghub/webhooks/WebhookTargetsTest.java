package vn.onboardinghub.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.providers.ahamove.AhamoveSandbox;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Outside sandbox mode webhooks never reach the hub's own machine, its network or the cloud metadata service (SSRF):
 * the target is refused before any connection, the delivery says why, and after the give-up time it is FAILED.
 */
class WebhookTargetsTest {
    static WireMockServer providers;
    static WebhookReceiver receiver;
    static TestHub hub;
    static final Map<String, String> KEYS = Map.of("lo", "lo-key-0123456789abcdef", "name", "name-key-0123456789abcdef",
            "priv", "priv-key-0123456789abcdef", "meta", "meta-key-0123456789abcdef");

    @BeforeAll
    static void start() throws Exception {
        providers = new WireMockServer(options().dynamicPort());
        providers.start();
        new AhamoveSandbox().register(providers, "/ahamove");
        receiver = new WebhookReceiver(WebhooksTest.secret());
        int port = Integer.parseInt(receiver.url().replaceAll(".*:(\\d+)/.*", "$1"));
        Map<String, String> settings = new HashMap<>(TestHub.providersAt(providers.baseUrl()));
        Map<String, String> urls = Map.of("lo", "https://127.0.0.1:" + port + "/hooks", "name", "https://localhost:" + port + "/hooks",
                "priv", "https://10.20.30.40/hooks", "meta", "https://169.254.169.254/latest/meta-data/");
        urls.forEach((client, url) -> {
            settings.put("hub.api.clients." + client + ".keys", KEYS.get(client));
            settings.put("hub.api.clients." + client + ".webhook-url", url);
            settings.put("hub.api.clients." + client + ".webhook-secret", WebhooksTest.secret());
        });
        settings.put("hub.webhooks.poll-ms", "100");
        settings.put("hub.webhooks.retry-initial-ms", "100");
        settings.put("hub.webhooks.retry-max-ms", "200");
        settings.put("hub.webhooks.give-up-after-seconds", "2");
        hub = TestHub.start(settings);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        providers.stop();
        receiver.close();
    }

    @Test
    void loopbackPrivateAndMetadataTargetsAreRefusedAndTheDeliveryShowsWhy() throws Exception {
        for (String client : KEYS.keySet()) {
            var response = hub.post("/api/v1/onboardings", "{\"merchant\": {\"externalId\": \"M-" + client + "\", \"name\": \"Shop\","
                    + " \"phone\": \"0912345678\"}, \"providers\": [\"ahamove\"]}", KEYS.get(client));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        }
        Map<String, String> why = Map.of("lo", "refused: 127.0.0.1 resolves to 127.0.0.1, a loopback address",
                "name", "refused: localhost resolves to 127.0.0.1, a loopback address",
                "priv", "refused: 10.20.30.40 resolves to 10.20.30.40, a private address (hub.webhooks.allow-private-targets is false)",
                "meta", "refused: 169.254.169.254 resolves to 169.254.169.254, a link-local address (such as the cloud metadata service)");
        for (String client : KEYS.keySet()) {
            // tried again until the give-up time, then FAILED, still listed with the reason
            JsonNode failed = await().atMost(Duration.ofSeconds(20)).until(() -> deliveries(client).get(0),
                    d -> d.path("state").asText().equals("FAILED"));
            assertThat(failed.path("lastError").asText()).as(client).startsWith(why.get(client));
            assertThat(failed.path("lastStatus").isNull()).isTrue();
            assertThat(failed.path("attempts").asInt()).isGreaterThan(1);
            assertThat(failed.path("nextAttemptAt").isNull()).isTrue();
        }
        assertThat(receiver.received()).as("nothing reached the hub's own machine").isEmpty();
    }

    @Test
    void theRulesHoldForEveryFormOfAnAddress() throws Exception {
        WebhookTargets strict = new WebhookTargets(false, false);
        for (String refused : List.of("127.0.0.1", "127.1.2.3", "::1", "0.0.0.0", "::", "10.0.0.1", "172.16.0.1", "172.31.255.255",
                "192.168.1.1", "100.64.0.1", "169.254.169.254", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "224.0.0.1",
                // IPv6 forms that reach an IPv4 address: IPv4-compatible, NAT64, 6to4; and the benchmarking range
                "::127.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::a00:1", "2002:7f00:1::", "2002:a9fe:a9fe::",
                "198.18.0.1", "198.19.255.255", "::ffff:0:7f00:1", "64:ff9b:1::7f00:1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
                "240.0.0.1", "255.255.255.255", "192.0.0.1")) {
            assertThat(strict.refusal(InetAddress.getByName(refused))).as(refused).isNotNull();
        }
        for (String allowed : List.of("93.184.216.34", "172.32.0.1", "8.8.8.8", "2001:4860:4860::8888", "64:ff9b::808:808",
                "2002:808:808::", "198.20.0.1")) {
            assertThat(strict.refusal(InetAddress.getByName(allowed))).as(allowed).isNull();
        }
        WebhookTargets privateAllowed = new WebhookTargets(false, true);
        assertThat(privateAllowed.refusal(InetAddress.getByName("10.0.0.1"))).isNull();
        assertThat(privateAllowed.refusal(InetAddress.getByName("127.0.0.1"))).isNotNull();
        assertThat(privateAllowed.refusal(InetAddress.getByName("169.254.169.254"))).isNotNull();
        WebhookTargets sandbox = new WebhookTargets(true, false);
        assertThat(sandbox.refusal(InetAddress.getByName("127.0.0.1"))).isNull();
        assertThat(sandbox.refusal(InetAddress.getByName("169.254.169.254"))).isNotNull();
        assertThatThrownBy(() -> strict.checkScheme(java.net.URI.create("http://example.com/"))).hasMessageContaining("must be https");
    }

    static List<JsonNode> deliveries(String client) throws Exception {
        var response = hub.get("/api/v1/webhooks/deliveries", KEYS.get(client));
        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonNode> rows = new java.util.ArrayList<>();
        WebhookReceiver.MAPPER.readTree(response.body()).forEach(rows::add);
        assertThat(rows).isNotEmpty();
        return rows;
    }
}
