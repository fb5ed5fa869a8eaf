package vn.onboardinghub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator's rotation, as docs/configuration.md tells it: a hub wrote results under the old key; {@code reencrypt} (its own
 * JVM, the key list from {@code HUB_CRYPTO_KEY_FILE}) rewrites them under the new key; a hub given only the new key
 * (and its API key, from files too) then reads them. And a secret file that cannot be read stops the hub with one line.
 */
class KeyRotationTest {
    static final String TOKEN = "issued-token-rotation-5d1e";
    static WireMockServer provider;
    final ObjectMapper mapper = new ObjectMapper();
    final List<Process> started = new ArrayList<>();
    final Path logs = Path.of("target", "key-rotation");

    @BeforeAll
    static void startProvider() {
        provider = new WireMockServer(options().dynamicPort());
        provider.start();
        provider.stubFor(get(urlPathEqualTo("/ahamove/v1/partner/register_account"))
                .willReturn(okJson("{\"token\": \"" + TOKEN + "\", \"refresh_token\": \"r-1\"}")));
    }

    @AfterAll
    static void stopProvider() {
        provider.stop();
    }

    @AfterEach
    void stopProcesses() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void resultsWrittenUnderTheOldKeyReadWithTheNewKeyAloneAfterReencrypt() throws Exception {
        Path dataDir = Files.createTempDirectory("hub-rotation");
        String oldKey = randomKey();
        String newKey = randomKey();
        Map<String, String> props = new HashMap<>(TestHub.providersAt(provider.baseUrl()));
        props.put("hub.crypto.key", oldKey);
        JsonNode created;
        try (TestHub hub = TestHub.start(dataDir, props)) {
            created = mapper.readTree(hub.post("/api/v1/onboardings", """
                    {"merchant": {"externalId": "M-rot", "name": "Shop", "phone": "0912345678"}, "providers": ["ahamove"]}""").body());
        }
        assertThat(created.at("/results/ahamove/credentials/token").asText()).isEqualTo(TOKEN);

        Path bothKeys = Files.writeString(dataDir.resolve("crypto-rotating"), newKey + "," + oldKey + "\n");
        Process reencrypt = start("reencrypt.log", List.of(), Map.of(
                "HUB_DATA_DIR", dataDir.toString(), "HUB_SANDBOX_ENABLED", "false",
                "HUB_CRYPTO_KEY_FILE", bothKeys.toString()), "reencrypt");
        assertThat(reencrypt.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(logs.resolve("reencrypt.log"));
        assertThat(reencrypt.exitValue()).as(output).isZero();
        assertThat(output).contains("reencrypt onboarding: 1 rewritten, 0 already under the first key, 0 unreadable, 0 changed meanwhile")
                .contains("reencrypt provider_success: 1 rewritten, 0 already under the first key, 0 unreadable, 0 changed meanwhile")
                .doesNotContain(oldKey).doesNotContain(newKey).doesNotContain(TOKEN);

        Path onlyNewKey = Files.writeString(dataDir.resolve("crypto"), newKey + "\n");
        Path apiKeys = Files.writeString(dataDir.resolve("api-keys"), "key-from-file\n");
        int port = TestHub.freePort();
        int managementPort = TestHub.freePort();
        start("hub.log", List.of("-Dcamel.server.port=" + port, "-Dcamel.management.port=" + managementPort,
                "-Dhub.broker.url=tcp://127.0.0.1:" + TestHub.freePort(), "-Dhub.hawtio.enabled=false"), Map.of(
                "HUB_DATA_DIR", dataDir.toString(), "HUB_SANDBOX_ENABLED", "false",
                "HUB_CRYPTO_KEY_FILE", onlyNewKey.toString(), "HUB_API_KEYS_FILE", apiKeys.toString()));
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
                http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/observe/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                        + "/api/v1/onboardings/" + created.path("onboardingId").asText())).header("X-API-Key", "key-from-file").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(mapper.readTree(read.body())).isEqualTo(created);
        assertThat(Files.readString(logs.resolve("hub.log"))).doesNotContain(newKey).doesNotContain("key-from-file");
    }

    @Test
    void anUnreadableSecretFileStopsTheHubWithOneLineNamingTheVariable() throws Exception {
        Path dataDir = Files.createTempDirectory("hub-rotation");
        Process hub = start("unreadable.log", List.of(), Map.of("HUB_DATA_DIR", dataDir.toString(),
                "HUB_API_KEYS_FILE", dataDir.resolve("missing-secret").toString()));
        assertThat(hub.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(hub.exitValue()).isNotZero();
        List<String> lines = Files.readAllLines(logs.resolve("unreadable.log"));
        assertThat(lines).filteredOn(l -> !l.isBlank()).singleElement().asString()
                .endsWith("cannot read HUB_API_KEYS_FILE (" + dataDir.resolve("missing-secret") + "): no such file");
    }

    /** {@link Application} in its own JVM on this build's classes, with the given environment; output to a log. */
    private Process start(String logName, List<String> jvmOptions, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                // short-lived: the JIT's first tier and one GC thread (as HubProcess) halve the CPU of its start-up
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                // no empty entries: one would put the working directory (routes/ again) on the class path
                "-cp", Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                        .filter(entry -> !entry.isBlank()).collect(Collectors.joining(File.pathSeparator))));
        command.addAll(jvmOptions);
        command.add(Application.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Files.createDirectories(logs).resolve(logName).toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("HUB_") || name.startsWith("CAMEL_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        started.add(process);
        return process;
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
