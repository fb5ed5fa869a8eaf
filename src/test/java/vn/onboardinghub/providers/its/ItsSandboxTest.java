package vn.onboardinghub.providers.its;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The ITS simulator's auth_url logs the shop in while it is valid ({@code expires_in}), and not after. */
class ItsSandboxTest {
    final WireMockServer server = new WireMockServer(options().dynamicPort());
    final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void anAuthUrlWorksUntilItExpires() throws Exception {
        server.start();
        new ItsSandbox(10).register(server, "/its");
        HttpResponse<String> answer = browser.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/its/v1/partner"
                        + ItsAdapter.AUTHORIZE_SHOP)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + ItsSandbox.API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"phone\": \"0912345678\", \"redirect_url\": \"https://hub.example/cb?state=s\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        JsonNode shopRequest = new ObjectMapper().readTree(answer.body());
        assertThat(shopRequest.path("expires_in").asInt()).isEqualTo(10);
        URI authUrl = URI.create(shopRequest.path("auth_url").asText());

        HttpResponse<String> inTime = browser.send(HttpRequest.newBuilder(authUrl).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(inTime.statusCode()).isEqualTo(302);
        assertThat(inTime.headers().firstValue("Location")).hasValueSatisfying(l ->
                assertThat(l).startsWith("https://hub.example/cb?state=s?token=").endsWith("&shop_id=" + ItsSandbox.SANDBOX_SHOP_ID));

        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(browser.send(HttpRequest.newBuilder(authUrl).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                        .isEqualTo(410));
    }
}
