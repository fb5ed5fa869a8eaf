package vn.onboardinghub.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The management port (health, metrics, Jolokia) has no login: it stays on loopback and shows no detail. */
class ManagementPortTest {
    final ObjectMapper mapper = new ObjectMapper();

    @Test
    void outsideSandboxTheManagementPortListensOnLoopbackAndTheRestPortOnEveryInterface() throws Exception {
        java.util.Optional<java.net.InetAddress> otherAddress = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())
                .stream().flatMap(n -> java.util.Collections.list(n.getInetAddresses()).stream())
                .filter(a -> !a.isLoopbackAddress() && a instanceof java.net.Inet4Address).findFirst();
        try (TestHub hub = TestHub.start(Map.of())) {
            assertThat(host(hub, true)).isEqualTo("127.0.0.1");
            assertThat(host(hub, false)).isEqualTo("0.0.0.0");
            assertThat(hub.get(hub.managementUrl("/observe/health/ready"), null).statusCode()).isEqualTo(200);
            assertThat(otherAddress).as("this machine has a non-loopback address to try").isPresent();
            assertThat(connects(otherAddress.get(), java.net.URI.create(hub.managementUrl("/")).getPort())).isFalse();
            assertThat(connects(otherAddress.get(), java.net.URI.create(hub.url("/")).getPort())).isTrue();
        }
    }

    @Test
    void hubListenAddressOpensTheManagementPortToo() throws Exception {
        try (TestHub hub = TestHub.start(Map.of("hub.listen-address", "0.0.0.0"))) {
            assertThat(host(hub, true)).isEqualTo("0.0.0.0");
        }
        try (TestHub hub = TestHub.start(Map.of("camel.management.host", "0.0.0.0"))) {
            assertThat(host(hub, true)).isEqualTo("0.0.0.0");
        }
    }

    @Test
    void healthShowsEachChecksNameAndStateOnlyWhateverTheRequestAsks() throws Exception {
        try (TestHub hub = TestHub.start(Map.of())) {
            for (String path : new String[]{"/observe/health", "/observe/health/live", "/observe/health/ready"}) {
                for (String query : new String[]{"", "?exposureLevel=full&stackTrace=true&data=true", "?exposureLevel=default&data=true"}) {
                    var response = hub.get(hub.managementUrl(path + query), null);
                    assertThat(response.statusCode()).as(path + query).isEqualTo(200);
                    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
                    JsonNode body = mapper.readTree(response.body());
                    assertThat(fieldNames(body)).as(response.body()).containsExactlyInAnyOrder("status", "checks");
                    assertThat(body.path("status").asText()).isEqualTo("UP");
                    assertThat(body.path("checks")).as(response.body()).isNotEmpty().allSatisfy(check ->
                            assertThat(fieldNames(check)).containsExactlyInAnyOrder("name", "status"));
                }
            }
            JsonNode ready = mapper.readTree(hub.get(hub.managementUrl("/observe/health/ready"), null).body());
            assertThat(ready.path("checks").findValuesAsText("name")).contains("rest-api", "database", "broker");
        }
    }

    private static java.util.List<String> fieldNames(JsonNode node) {
        java.util.List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String host(TestHub hub, boolean management) {
        return hub.context().getRegistry().findByType(VertxPlatformHttpRouter.class).stream()
                .filter(router -> router.isManagementServer() == management)
                .findFirst().orElseThrow().getServer().getHost();
    }

    private static boolean connects(java.net.InetAddress address, int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(address, port), 2000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
