package vn.onboardinghub.api;

import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Idle and piled-up connections cannot exhaust the hub: they are closed, and one address cannot take every slot. */
class HttpServerLimitsTest {

    @Test
    void anIdleConnectionIsClosedAndOneAddressCannotHoldMoreThanItsShare() throws Exception {
        try (TestHub hub = TestHub.start(Map.of("hub.http.idle-timeout-seconds", "1",
                "hub.http.max-connections-per-address", "3"))) {
            int port = URI.create(hub.url("/")).getPort();
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(new Socket("127.0.0.1", port));
                }
                try (Socket fourth = new Socket("127.0.0.1", port)) {
                    fourth.setSoTimeout(5000);
                    assertThat(fourth.getInputStream().read()).as("over the address's share: closed at once").isEqualTo(-1);
                }
                // the idle ones are closed by the hub after the idle timeout
                for (Socket idle : held) {
                    idle.setSoTimeout(10_000);
                    assertThat(idle.getInputStream().read()).isEqualTo(-1);
                }
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(hub.get("/api/v1/batches").statusCode()).as("room again").isEqualTo(200));
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    @Test
    void inSandboxModeTheRestManagementAndBrokerPortsListenOnLoopbackOnly() throws Exception {
        Optional<InetAddress> otherAddress = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(n -> Collections.list(n.getInetAddresses()).stream())
                .filter(a -> !a.isLoopbackAddress() && a instanceof java.net.Inet4Address).findFirst();
        try (TestHub hub = TestHub.start(Map.of("hub.sandbox.enabled", "true", "hub.api.keys", TestHub.API_KEY))) {
            int port = URI.create(hub.url("/")).getPort();
            int management = URI.create(hub.managementUrl("/")).getPort();
            int broker = URI.create(hub.context().resolvePropertyPlaceholders("{{hub.broker.url}}")).getPort();
            assertThat(hub.get("/api/v1/batches").statusCode()).isEqualTo(200);
            assertThat(otherAddress).as("this machine has a non-loopback address to try").isPresent();
            for (int p : new int[]{port, management, broker}) {
                assertThat(connects(otherAddress.get(), p)).as("port " + p + " on " + otherAddress.get()).isFalse();
                assertThat(connects(InetAddress.getLoopbackAddress(), p)).isTrue();
            }
        }
    }

    private static boolean connects(InetAddress address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 2000);
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
