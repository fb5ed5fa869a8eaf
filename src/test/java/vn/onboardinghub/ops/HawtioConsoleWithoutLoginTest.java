package vn.onboardinghub.ops;

import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Sandbox mode: the console needs no login, and its Jolokia answers clients on this machine. */
class HawtioConsoleWithoutLoginTest {

    @Test
    void sandboxConsoleShowsTheRoutesToLocalClientsWithoutLogin() throws Exception {
        int port = TestHub.freePort();
        try (TestHub hub = TestHub.start(Map.of("hub.sandbox.enabled", "true",
                "hub.hawtio.enabled", "true", "hub.hawtio.port", String.valueOf(port)))) {
            HttpResponse<String> search = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/hawtio/jolokia/search/org.apache.camel:type=routes,*"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(search.statusCode()).isEqualTo(200);
            assertThat(search.body()).contains("\"status\":200", "name=\\\"onboarding\\\"");
        }
    }

    @Test
    void hubRefusesToStartWhenTheConsolePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            assertThatThrownBy(() -> TestHub.start(Map.of("hub.sandbox.enabled", "true", "hub.hawtio.enabled", "true",
                    "hub.hawtio.port", String.valueOf(taken.getLocalPort()))).close())
                    .hasStackTraceContaining("cannot start the Hawtio console on port " + taken.getLocalPort() + " (hub.hawtio.port)");
        }
    }
}
