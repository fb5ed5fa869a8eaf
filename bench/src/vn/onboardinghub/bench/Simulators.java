package vn.onboardinghub.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderCatalog;
import vn.onboardinghub.providers.ahamove.AhamoveSandbox;
import vn.onboardinghub.providers.ghtk.GhtkSandbox;
import vn.onboardinghub.providers.its.ItsSandbox;
import vn.onboardinghub.providers.socdo.SocdoSandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@link ProviderSimulator} JVM and the provider settings that point a hub at it. */
final class Simulators implements AutoCloseable {
    // the sandbox's partner credentials, so that the WireMock engine (the sandbox's own stubs) accepts the same calls
    static final String AHAMOVE_API_KEY = new AhamoveSandbox().credentials().get("api-key");
    static final String GHTK_TOKEN = new GhtkSandbox().credentials().get("token");
    static final String GHTK_CLIENT_SOURCE = new GhtkSandbox().credentials().get("client-source");
    static final String SOCDO_TOKEN_SELLER = new SocdoSandbox().credentials().get("token-seller");
    static final String SOCDO_SHOP_ID = new SocdoSandbox().credentials().get("shop-id");
    static final String ITS_API_KEY = new ItsSandbox().credentials().get("api-key");

    private final Process process;
    final String baseUrl;

    private Simulators(Process process, String baseUrl) {
        this.process = process;
        this.baseUrl = baseUrl;
    }

    static Simulators start(String classpath, Path workDir, int delayMs, String engine) throws Exception {
        int port = Processes.freePort();
        // the JDK server keeps at most 200 idle keep-alive connections by default; the hub and the baseline hold more
        Process process = Processes.java(workDir, workDir.resolve("simulator-" + engine + ".log"),
                List.of("-Xmx1g", "-Dsun.net.httpserver.maxIdleConnections=2048", "-Dsun.net.httpserver.nodelay=true", "-cp", classpath),
                List.of(ProviderSimulator.class.getName(), String.valueOf(port), String.valueOf(delayMs), engine));
        Simulators simulators = new Simulators(process, "http://127.0.0.1:" + port);
        // any answer means it listens: the bad_route 404 of an unknown path
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                Processes.get(simulators.baseUrl + "/");
                return simulators;
            } catch (java.io.IOException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the simulator did not start; see " + workDir.resolve("simulator-" + engine + ".log"));
                }
                Thread.sleep(50);
            }
        }
    }

    void delay(int ms) throws Exception {
        Processes.get(baseUrl + "/_bench/delay?ms=" + ms);
    }

    void resetCalls() throws Exception {
        Processes.get(baseUrl + "/_bench/reset");
    }

    /** Arrival times (ms since the epoch) of the calls made to {@code provider} since the last reset, sorted. */
    long[] calls(String provider) throws Exception {
        String text = Processes.get(baseUrl + "/_bench/calls?provider=" + provider).strip();
        long[] times = text.isEmpty() ? new long[0] : text.lines().mapToLong(Long::parseLong).toArray();
        Arrays.sort(times);
        return times;
    }

    /** {@code hub.providers.*} settings for a hub calling this simulator. */
    Map<String, String> hubSettings() {
        Map<String, String> props = new LinkedHashMap<>();
        for (ProviderAdapter provider : new ProviderCatalog(new ObjectMapper()).all()) {
            String prefix = "hub.providers." + provider.name() + ".";
            props.put(prefix + "base-url", baseUrl + "/" + provider.name() + provider.sandbox().basePath());
            provider.sandbox().credentials().forEach((key, value) -> props.put(prefix + key, value));
        }
        return props;
    }

    @Override
    public void close() {
        Processes.stop(process);
    }
}
