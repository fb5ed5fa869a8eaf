package vn.onboardinghub.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.WithHub;

import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Hawtio console over HTTP, with login required (sandbox mode off, {@code hub.hawtio.users} set). */
@WithHub({"hub.hawtio.enabled=true",
        "hub.hawtio.port=" + TestHub.FREE_PORT,
        "hub.hawtio.users=someone:else, " + HawtioConsoleTest.USER + ":" + HawtioConsoleTest.PASSWORD})
class HawtioConsoleTest {
    static final String USER = "operator";
    static final String PASSWORD = "console:pass-1";
    static final String STOP_ONBOARDING_ROUTE = """
            {"type": "exec", "mbean": "org.apache.camel:context=onboarding-hub,type=routes,name=\\"onboarding\\"",
             "operation": "stop()"}""";
    static TestHub hub;
    static String console;
    final ObjectMapper mapper = new ObjectMapper();
    final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void console() {
        console = "http://localhost:" + hub.setting("hub.hawtio.port") + "/hawtio";
    }

    @Test
    void consoleSendsAnAnonymousVisitorToTheLoginPage() throws Exception {
        HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(console + "/")).GET());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.uri().getPath()).isEqualTo("/hawtio/login");
        assertThat(page.body()).contains("<title>Hawtio</title>");
    }

    @Test
    void jolokiaWithoutLoginIsRefused() throws Exception {
        HttpResponse<String> read = send(HttpRequest.newBuilder(URI.create(console + "/jolokia/version")).GET());
        HttpResponse<String> exec = send(jolokiaPost(STOP_ONBOARDING_ROUTE));

        assertThat(read.statusCode()).isIn(401, 403);
        assertThat(exec.statusCode()).isIn(401, 403);
        assertThat(hub.context().getRouteController().getRouteStatus("onboarding")).isEqualTo(ServiceStatus.Started);
    }

    @Test
    void jolokiaWithWrongPasswordIsRefused() throws Exception {
        HttpResponse<String> exec = send(jolokiaPost(STOP_ONBOARDING_ROUTE).header("Authorization", basic(USER, "wrong")));

        assertThat(exec.statusCode()).isIn(401, 403);
        assertThat(hub.context().getRouteController().getRouteStatus("onboarding")).isEqualTo(ServiceStatus.Started);
    }

    @Test
    void loggedInUserReadsTheHubsRoutes() throws Exception {
        HttpResponse<String> login = send(HttpRequest.newBuilder(URI.create(console + "/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(mapper.writeValueAsString(Map.of("username", USER, "password", PASSWORD)))));
        assertThat(login.statusCode()).isEqualTo(200);

        // the session cookie from the login authenticates the console's Jolokia calls
        HttpResponse<String> search = send(jolokiaPost("""
                {"type": "search", "mbean": "org.apache.camel:context=onboarding-hub,type=routes,*"}"""));

        assertThat(search.statusCode()).isEqualTo(200);
        JsonNode answer = mapper.readTree(search.body());
        assertThat(answer.path("status").asInt()).isEqualTo(200);
        assertThat(answer.path("value").toString()).contains("name=\\\"onboarding\\\"", "name=\\\"provider-ahamove\\\"",
                "name=\\\"intake-file\\\"");
    }

    @Test
    void hubRefusesToStartWhenLoginIsRequiredButNoUserIsConfigured() {
        assertThatThrownBy(() -> TestHub.start(Map.of("hub.hawtio.enabled", "true",
                "hub.hawtio.port", String.valueOf(TestHub.freePort()))).close())
                .hasStackTraceContaining("hub.hawtio.users");
    }

    @Test
    void malformedUsersAreRefusedWithoutRepeatingThem() {
        assertThatThrownBy(() -> ConsoleLoginModule.Users.parse("admin:ok,secret-without-user"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("hub.hawtio.users")
                .hasMessageNotContaining("secret-without-user");
    }

    private HttpRequest.Builder jolokiaPost(String json) {
        return HttpRequest.newBuilder(URI.create(console + "/jolokia/"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
