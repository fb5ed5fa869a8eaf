package vn.onboardinghub.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import vn.onboardinghub.TestHub;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The console's Jolokia holds no secret for anyone: a hub whose every secret setting has a recognisable value is
 * listed, searched and read attribute by attribute (plainly, with paths into values, in bulk, by patterns) by a
 * reader and by an operator, and no answer holds any of the values. Only an operator starts and stops routes. The
 * login throttle counts failures per address and user name.
 */
class HawtioSecretsTest {
    static final String OPERATOR = "operator";
    static final String OPERATOR_PASSWORD = "OPERATOR-PASSWORD-5eb1";
    static final String READER = "reader";
    static final String READER_PASSWORD = "READER-PASSWORD-77c2";
    static final String ADMIN = "admin";
    static final String ADMIN_PASSWORD = "ADMIN-PASSWORD-90d4";
    static final String CRYPTO_KEY = Base64.getEncoder().encodeToString(
            "CRYPTO-KEY-3f9a-0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    /** Every secret setting's value (the console passwords above included). */
    static final Map<String, String> SECRETS = new LinkedHashMap<>();
    static final String ONBOARDING_ROUTE = "org.apache.camel:context=onboarding-hub,type=routes,name=\"onboarding\"";
    static TestHub hub;
    static String console;
    static final ObjectMapper mapper = new ObjectMapper();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        SECRETS.put("hub.crypto.key", CRYPTO_KEY);
        SECRETS.put("hub.callback.secret", "CALLBACK-SECRET-41be-padded-to-32-bytes-or-more");
        SECRETS.put("hub.api.keys", "API-KEY-SECRET-c3d0");
        SECRETS.put("hub.api.clients.partner.keys", "CLIENT-KEY-SECRET-8a7f");
        SECRETS.put("hub.providers.ahamove.api-key", "AHAMOVE-KEY-SECRET-02e6");
        SECRETS.put("hub.providers.ghtk.token", "GHTK-TOKEN-SECRET-5d1c");
        SECRETS.put("hub.providers.socdo.token-seller", "SOCDO-TOKEN-SECRET-e9b3");
        SECRETS.put("hub.providers.its.api-key", "ITS-KEY-SECRET-6f28");
        SECRETS.put("hub.broker.password", "BROKER-PASSWORD-SECRET-1a4d-padded-to-32-bytes-or-more");
        SECRETS.put("hub.broker.client-password", "BROKER-CLIENT-SECRET-7c5e-padded-to-32-bytes-or-more");
        SECRETS.put("hub.db.password", "DB-PASSWORD-SECRET-b2f9");
        int port = TestHub.freePort();
        Map<String, String> settings = new LinkedHashMap<>(SECRETS);
        // a URL with a password in its parameters
        settings.put("hub.broker.url", "tcp://127.0.0.1:" + TestHub.freePort() + "?trustStorePassword=TRUSTSTORE-SECRET-3e8b");
        SECRETS.put("trustStorePassword", "TRUSTSTORE-SECRET-3e8b");
        settings.put("hub.providers.its.base-url", "http://127.0.0.1:9/v1/partner");
        settings.put("hub.hawtio.enabled", "true");
        settings.put("hub.hawtio.port", String.valueOf(port));
        settings.put("hub.hawtio.users", OPERATOR + ":" + OPERATOR_PASSWORD + "," + READER + ":" + READER_PASSWORD
                + "," + ADMIN + ":" + ADMIN_PASSWORD);
        settings.put("hub.hawtio.operators", OPERATOR);
        SECRETS.put("operator's password", OPERATOR_PASSWORD);
        SECRETS.put("reader's password", READER_PASSWORD);
        SECRETS.put("admin's password", ADMIN_PASSWORD);
        hub = TestHub.start(settings);
        console = "http://localhost:" + port + "/hawtio";
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @ParameterizedTest(name = "as the {0}")
    @ValueSource(strings = {OPERATOR, READER})
    void noAnswerHoldsASecret(String user) throws Exception {
        String password = OPERATOR.equals(user) ? OPERATOR_PASSWORD : READER_PASSWORD;
        // the hub holds them: the console must not hand them out
        assertThat(hub.context().getPropertiesComponent().resolveProperty("hub.callback.secret")).contains("CALLBACK-SECRET-41be-padded-to-32-bytes-or-more");
        List<String> answers = new ArrayList<>();

        JsonNode list = jolokia(user, password, "{\"type\": \"list\"}");
        answers.add(list.toString());
        assertThat(list.path("status").asInt()).isEqualTo(200);
        answers.add(jolokia(user, password, """
                {"type": "exec", "mbean": "hawtio:type=security,name=RBACRegistry", "operation": "list()"}""").toString());
        answers.add(jolokia(user, password, "{\"type\": \"search\", \"mbean\": \"*:*\"}").toString());

        int readable = 0;
        for (Map.Entry<String, JsonNode> domain : fields(list.path("value"))) {
            for (Map.Entry<String, JsonNode> mbean : fields(domain.getValue())) {
                String name = domain.getKey() + ":" + mbean.getKey();
                List<String> attributes = new ArrayList<>();
                fields(mbean.getValue().path("attr")).forEach(attribute -> attributes.add(attribute.getKey()));
                // the whole MBean, then each attribute alone, then each with a path into its value
                ArrayNode reads = mapper.createArrayNode();
                reads.add(read(name, null, null));
                attributes.forEach(attribute -> reads.add(read(name, attribute, null)));
                JsonNode answer = jolokia(user, password, reads.toString());
                answers.add(answer.toString());
                for (JsonNode one : answer) {
                    readable += one.path("status").asInt() == 200 ? 1 : 0;
                }
                for (String attribute : attributes) {
                    for (String path : List.of("camelContext/propertiesComponent/overrideProperties", "camelContext/endpoints",
                            "camelContext/globalOptions", "configuration/password")) {
                        answers.add(send(user, password, read(name, attribute, path).toString()).body());
                    }
                }
            }
        }
        for (String pattern : List.of("*:*", "org.apache.camel:*", "java.lang:type=Runtime,*")) {
            answers.add(send(user, password, read(pattern, null, null).toString()).body());
        }
        answers.add(jolokia(user, password, """
                {"type": "exec", "mbean": "org.apache.camel:context=onboarding-hub,type=context,name=\\"onboarding-hub\\"",
                 "operation": "dumpRoutesAsXml(boolean)", "arguments": [true]}""").toString());
        // what the console's views invoke: route sources, diagrams and statistics, the REST services
        String context = "org.apache.camel:context=onboarding-hub,type=context,name=\"onboarding-hub\"";
        int views = 0;
        List<String> invocations = new ArrayList<>(List.of(exec(context, "dumpRoutesAsXml()"),
                exec(context, "dumpRoutesStatsAsXml(boolean,boolean)", true, true),
                exec("org.apache.camel:context=onboarding-hub,type=services,name=DefaultRestRegistry", "listRestServices()")));
        for (Map.Entry<String, JsonNode> mbean : fields(list.path("value").path("org.apache.camel"))) {
            if (mbean.getKey().contains("type=routes")) {
                String route = "org.apache.camel:" + mbean.getKey();
                invocations.add(exec(route, "dumpRouteAsXml()"));
                invocations.add(exec(route, "dumpRouteStatsAsXml(boolean,boolean)", true, true));
            }
        }
        for (String invocation : invocations) {
            JsonNode answer = jolokia(user, password, invocation);
            views += answer.path("status").asInt() == 200 ? 1 : 0;
            answers.add(answer.toString());
        }
        assertThat(views).as("the views' operations answer").isEqualTo(invocations.size());

        assertThat(readable).as("the console's views still read").isGreaterThan(100);
        String all = String.join("\n", answers);
        for (Map.Entry<String, String> secret : SECRETS.entrySet()) {
            assertThat(all).as(secret.getKey()).doesNotContain(secret.getValue());
        }
    }

    @Test
    void readsIntoValuesAndOfPatternsAreRefused() throws Exception {
        // the file-drop endpoint (master:file-drop:file:…): its Endpoint attribute is an object leading to every setting
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        String fileDrop = null;
        for (ObjectName name : jmx.queryNames(new ObjectName("org.apache.camel:*"), null)) {
            if (Arrays.stream(jmx.getMBeanInfo(name).getAttributes()).anyMatch(a -> a.getName().equals("Endpoint"))) {
                fileDrop = name.toString();
            }
        }
        assertThat(fileDrop).isNotNull();
        HttpResponse<String> endpoint = send(OPERATOR, OPERATOR_PASSWORD, read(fileDrop, "Endpoint", null).toString());
        HttpResponse<String> path = send(OPERATOR, OPERATOR_PASSWORD,
                read(fileDrop, "Endpoint", "camelContext/propertiesComponent/overrideProperties").toString());
        HttpResponse<String> pattern = send(OPERATOR, OPERATOR_PASSWORD, read("*:*", null, null).toString());
        HttpResponse<String> systemProperties = send(OPERATOR, OPERATOR_PASSWORD,
                read("java.lang:type=Runtime", "SystemProperties", null).toString());

        assertThat(mapper.readTree(endpoint.body()).path("status").asInt()).as(endpoint.body()).isEqualTo(403);
        assertThat(path.statusCode()).isEqualTo(403);
        assertThat(pattern.statusCode()).isEqualTo(403);
        assertThat(mapper.readTree(systemProperties.body()).path("status").asInt()).isEqualTo(403);
    }

    @Test
    void anOperatorStopsAndStartsARouteAReaderCannot() throws Exception {
        JsonNode readerStop = jolokia(READER, READER_PASSWORD, exec(ONBOARDING_ROUTE, "stop()"));
        ServiceStatus afterReader = hub.context().getRouteController().getRouteStatus("onboarding");
        JsonNode stop = jolokia(OPERATOR, OPERATOR_PASSWORD, exec(ONBOARDING_ROUTE, "stop()"));
        ServiceStatus afterOperator = hub.context().getRouteController().getRouteStatus("onboarding");
        JsonNode readerStart = jolokia(READER, READER_PASSWORD, exec(ONBOARDING_ROUTE, "start"));
        ServiceStatus stillStopped = hub.context().getRouteController().getRouteStatus("onboarding");
        JsonNode start = jolokia(OPERATOR, OPERATOR_PASSWORD, exec(ONBOARDING_ROUTE, "start"));

        assertThat(readerStop.path("status").asInt()).as(readerStop.toString()).isEqualTo(403);
        assertThat(afterReader).isEqualTo(ServiceStatus.Started);
        assertThat(stop.path("status").asInt()).as(stop.toString()).isEqualTo(200);
        assertThat(afterOperator).isEqualTo(ServiceStatus.Stopped);
        assertThat(readerStart.path("status").asInt()).as(readerStart.toString()).isEqualTo(403);
        assertThat(stillStopped).isEqualTo(ServiceStatus.Stopped);
        assertThat(start.path("status").asInt()).as(start.toString()).isEqualTo(200);
        assertThat(hub.context().getRouteController().getRouteStatus("onboarding")).isEqualTo(ServiceStatus.Started);
    }

    @Test
    void bothRolesReadTheRoutesViews() throws Exception {
        for (String[] login : new String[][] {{OPERATOR, OPERATOR_PASSWORD}, {READER, READER_PASSWORD}}) {
            JsonNode route = jolokia(login[0], login[1], "{\"type\": \"read\", \"mbean\": " + mapper.writeValueAsString(ONBOARDING_ROUTE) + "}");
            JsonNode diagram = jolokia(login[0], login[1], exec(ONBOARDING_ROUTE, "dumpRouteStatsAsXml(boolean,boolean)", false, true));

            assertThat(route.path("value").path("State").asText()).as(route.toString()).isEqualTo("Started");
            assertThat(route.path("value").path("ExchangesTotal").isNumber()).isTrue();
            assertThat(diagram.path("status").asInt()).as(diagram.toString()).isEqualTo(200);
            assertThat(diagram.path("value").asText()).contains("routeStat");
        }
    }

    @Test
    void aGuesserFromOneAddressDoesNotLockTheUserOutFromAnother() throws Exception {
        InetAddress guesser = InetAddress.getByName("127.0.0.2");
        InetAddress user = InetAddress.getByName("127.0.0.1");
        for (int i = 0; i < 8; i++) {
            assertThat(version(guesser, ADMIN, "guess-" + i)).isIn(401, 403);
        }

        assertThat(version(guesser, ADMIN, ADMIN_PASSWORD)).as("the guesser's address, even with the password").isIn(401, 403);
        assertThat(version(user, ADMIN, ADMIN_PASSWORD)).as("the user's address").isEqualTo(200);
    }

    @Test
    void anUnknownOperatorIsRefusedAtStart() {
        assertThatThrownBy(() -> TestHub.start(Map.of("hub.hawtio.enabled", "true", "hub.hawtio.port",
                String.valueOf(TestHub.freePort()), "hub.hawtio.users", "alice:pw-1", "hub.hawtio.operators", "alice, bob")).close())
                .hasStackTraceContaining("hub.hawtio.operators: bob is not a user of hub.hawtio.users")
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain("pw-1"));
    }

    private static int version(InetAddress from, String user, String password) throws Exception {
        String authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return RawHttp.get(from, URI.create(console).getPort(), "localhost:" + URI.create(console).getPort(),
                "/hawtio/jolokia/version", authorization).status();
    }

    private static ObjectNode read(String mbean, String attribute, String path) {
        ObjectNode read = mapper.createObjectNode().put("type", "read").put("mbean", mbean);
        if (attribute != null) {
            read.put("attribute", attribute);
        }
        if (path != null) {
            read.put("path", path);
        }
        return read;
    }

    private static String exec(String mbean, String operation, Object... arguments) throws Exception {
        return mapper.writeValueAsString(Map.of("type", "exec", "mbean", mbean, "operation", operation, "arguments", List.of(arguments)));
    }

    private static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode node) {
        return node::fields;
    }

    /** A Jolokia request answered with HTTP 200 (Jolokia's own status is in the answer). */
    private JsonNode jolokia(String user, String password, String json) throws Exception {
        HttpResponse<String> answer = send(user, password, json);
        assertThat(answer.statusCode()).as(json).isEqualTo(200);
        return mapper.readTree(answer.body());
    }

    private HttpResponse<String> send(String user, String password, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(console + "/jolokia/?maxDepth=7&ignoreErrors=true"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String stackTrace(Throwable e) {
        StringWriter text = new StringWriter();
        e.printStackTrace(new PrintWriter(text));
        return text.toString();
    }
}
