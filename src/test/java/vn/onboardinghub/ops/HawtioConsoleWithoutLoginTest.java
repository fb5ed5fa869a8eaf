package vn.onboardinghub.ops;

import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.WithHub;

import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sandbox mode: the console needs no login, listens on 127.0.0.1 only, and its Jolokia is as locked down as with
 * login (a web page the developer opens must not operate the hub through it).
 */
@WithHub({"hub.sandbox.enabled=true", "hub.hawtio.enabled=true", "hub.hawtio.port=" + TestHub.FREE_PORT})
class HawtioConsoleWithoutLoginTest {
    static TestHub hub;
    static int port;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void port() {
        port = Integer.parseInt(hub.setting("hub.hawtio.port"));
    }

    @Test
    void sandboxConsoleShowsTheRoutesToLocalClientsWithoutLogin() throws Exception {
        HttpResponse<String> search = post("""
                {"type": "search", "mbean": "org.apache.camel:type=routes,*"}""");

        assertThat(search.statusCode()).isEqualTo(200);
        assertThat(search.body()).contains("\"status\":200", "name=\\\"onboarding\\\"");
    }

    @Test
    void sandboxConsoleListensOnLoopbackOnly() throws Exception {
        assertThat(hub.context().hasService(HawtioConsole.class).boundHost()).isEqualTo("127.0.0.1");

        List<InetAddress> otherAddresses = NetworkInterface.networkInterfaces()
                .filter(nic -> !isLoopback(nic))
                .flatMap(NetworkInterface::inetAddresses)
                .filter(address -> address instanceof Inet4Address && !address.isLoopbackAddress()).toList();
        for (InetAddress address : otherAddresses) {
            try (Socket socket = new Socket()) {
                assertThatThrownBy(() -> socket.connect(new InetSocketAddress(address, port), 5000))
                        .as("the console on " + address.getHostAddress()).isInstanceOf(ConnectException.class);
            }
        }
    }

    @Test
    void aRebindingPageCannotReachTheConsolesJolokia() throws Exception {
        RawHttp.Response rebound = RawHttp.get(port, "attacker.example:" + port, "/hawtio/jolokia/version", null);
        RawHttp.Response local = RawHttp.get(port, "127.0.0.1:" + port, "/hawtio/jolokia/version", null);

        assertThat(rebound.status()).isEqualTo(403);
        assertThat(local.status()).isEqualTo(200);
    }

    @Test
    void aForeignOriginCannotStopARoute() throws Exception {
        HttpResponse<String> exec = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hawtio/jolokia/"))
                .header("Origin", "http://evil.example").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"type": "exec", "mbean": "org.apache.camel:context=onboarding-hub,type=routes,name=\\"onboarding\\"",
                         "operation": "stop()"}"""))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(exec.statusCode()).isEqualTo(403);
        assertThat(exec.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(hub.context().getRouteController().getRouteStatus("onboarding")).isEqualTo(ServiceStatus.Started);
    }

    @Test
    void withoutLoginNobodyIsAnOperator() throws Exception {
        HttpResponse<String> stop = post("""
                {"type": "exec", "mbean": "org.apache.camel:context=onboarding-hub,type=routes,name=\\"onboarding\\"",
                 "operation": "stop()"}""");

        assertThat(stop.statusCode()).isEqualTo(200);
        assertThat(stop.body()).contains("\"status\":403");
        assertThat(hub.context().getRouteController().getRouteStatus("onboarding")).isEqualTo(ServiceStatus.Started);
    }

    @Test
    void jolokiasUrlSyntaxIsRefused() throws Exception {
        HttpResponse<String> exec = get("/hawtio/jolokia/exec/org.apache.camel:context=onboarding-hub,type=routes,"
                + "name=%22onboarding%22/stop()");

        assertThat(exec.statusCode()).isEqualTo(403);
        assertThat(hub.context().getRouteController().getRouteStatus("onboarding")).isEqualTo(ServiceStatus.Started);
    }

    @Test
    void noMessageCanBeSentIntoARouteWithoutLoginEither() throws Exception {
        HttpResponse<String> exec = post("""
                {"type": "exec", "mbean": "org.apache.camel:context=onboarding-hub,type=context,name=\\"onboarding-hub\\"",
                 "operation": "sendStringBody(java.lang.String,java.lang.String)", "arguments": ["direct:onboarding", "{}"]}""");

        assertThat(exec.statusCode()).isEqualTo(200);
        assertThat(exec.body()).contains("\"status\":403").doesNotContain("\"value\"");
    }

    @Test
    void hubRefusesToStartWhenTheConsolePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            assertThatThrownBy(() -> TestHub.start(Map.of("hub.sandbox.enabled", "true", "hub.hawtio.enabled", "true",
                    "hub.hawtio.port", String.valueOf(taken.getLocalPort()))).close())
                    .hasStackTraceContaining("cannot start the Hawtio console on port " + taken.getLocalPort() + " (hub.hawtio.port)");
        }
    }

    private HttpResponse<String> post(String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hawtio/jolokia/"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean isLoopback(NetworkInterface nic) {
        try {
            return nic.isLoopback();
        } catch (java.net.SocketException e) {
            return true;
        }
    }
}
