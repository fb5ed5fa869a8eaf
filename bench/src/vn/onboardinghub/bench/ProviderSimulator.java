package vn.onboardinghub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import com.github.tomakehurst.wiremock.global.GlobalSettings;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderCatalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * The four providers' simulators in their own JVM, answering every call with the documented success after a fixed
 * delay, so that the hub and the hand-written baseline are measured against the same remote latency.
 *
 * <p>Two engines: {@code jdk} (default), a small {@code com.sun.net.httpserver} server answering the bodies the
 * sandbox answers on success, which records the arrival time of every call (for the rate-limit measurement); and
 * {@code wiremock}, the hub's own sandbox stubs ({@code *Sandbox.register}) with a global fixed delay, measured only
 * to show how much WireMock's matching and templating would bound the ceiling.
 *
 * <p>Usage: {@code ProviderSimulator <port> <delayMs> [jdk|wiremock]}. Control endpoints of the jdk engine:
 * {@code GET /_bench/delay?ms=N} sets the delay, {@code GET /_bench/reset} forgets the calls,
 * {@code GET /_bench/calls?provider=P} lists P's call arrival times (ms since the epoch, one per line).
 */
public final class ProviderSimulator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ProviderCatalog PROVIDERS = new ProviderCatalog(JSON);

    private volatile int delayMs;
    private final Map<String, CallLog> calls = new ConcurrentHashMap<>();
    private final String baseUrl;

    private ProviderSimulator(int port, int delayMs) {
        this.delayMs = delayMs;
        this.baseUrl = "http://127.0.0.1:" + port;
        for (String p : PROVIDERS.names()) {
            calls.put(p, new CallLog());
        }
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int delayMs = Integer.parseInt(args[1]);
        String engine = args.length > 2 ? args[2] : "jdk";
        if (engine.equals("wiremock")) {
            startWireMock(port, delayMs);
        } else {
            new ProviderSimulator(port, delayMs).startJdk(port);
        }
        System.out.println("simulator ready on " + port + " (" + engine + ", " + delayMs + " ms)");
    }

    /** The hub's own sandbox stubs, every answer delayed by {@code delayMs}. */
    private static void startWireMock(int port, int delayMs) {
        WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").port(port)
                .containerThreads(512).asynchronousResponseEnabled(true).asynchronousResponseThreads(16)
                .disableRequestJournal().notifier(new Slf4jNotifier(false)));
        server.start();
        server.updateGlobalSettings(GlobalSettings.builder().fixedDelay(delayMs).build());
        for (ProviderAdapter provider : PROVIDERS.all()) {
            provider.sandbox().register(server, "/" + provider.name());
        }
    }

    private void startJdk(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 4096);
        // a blocking handler per call (the delay is a sleep): enough threads for every call the benchmark keeps in flight
        ExecutorService pool = Executors.newFixedThreadPool(1024, r -> {
            Thread t = new Thread(r, "simulator");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/_bench/")) {
                control(exchange, path);
                return;
            }
            long arrival = System.currentTimeMillis();
            byte[] requestBody;
            try (InputStream in = exchange.getRequestBody()) {
                requestBody = in.readAllBytes();
            }
            Answer answer = answer(exchange, path, requestBody);
            if (answer.provider != null) {
                calls.get(answer.provider).add(arrival);
            }
            int delay = delayMs;
            if (delay > 0) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            send(exchange, answer.status, answer.body);
        }
    }

    private record Answer(String provider, int status, String body) {
    }

    /** The documented success of each provider (the sandbox's success bodies); 401/404 when the call is not one. */
    private Answer answer(HttpExchange exchange, String path, byte[] requestBody) throws IOException {
        var headers = exchange.getRequestHeaders();
        switch (path) {
            case "/ahamove/v1/partner/register_account" -> {
                String query = exchange.getRequestURI().getRawQuery();
                if (query == null || !query.contains("api_key=") || !query.contains("mobile=84")) {
                    return new Answer("ahamove", 404, "{\"title\": \"NOT_FOUND\", \"description\": \"Không tìm thấy api_key\"}");
                }
                return new Answer("ahamove", 200, "{\"token\": \"" + random(36) + "." + random(64) + "." + random(43)
                        + "\", \"refresh_token\": \"" + hex(32) + "\"}");
            }
            case "/ghtk/services/shops/token" -> {
                if (headers.getFirst("Token") == null) {
                    return new Answer("ghtk", 401, "{\"success\": false, \"message\": \"Cần cung cấp token hợp lệ\", \"error_code\": 20101}");
                }
                return new Answer("ghtk", 200, "{\"success\": true, \"message\": \"Thành công\", \"data\": {\"code\": \"S"
                        + ThreadLocalRandom.current().nextInt(100000, 999999) + "\", \"token\": \"" + random(40) + "\"}}");
            }
            case "/socdo/mini-app/v1/register" -> {
                JsonNode in = JSON.readTree(requestBody);
                if (headers.getFirst("Token-Seller") == null || headers.getFirst("Shop-ID") == null) {
                    return new Answer("socdo", 401, "{\"message\": \"Token không hợp lệ\"}");
                }
                ObjectNode data = JSON.createObjectNode();
                data.put("user_id", ThreadLocalRandom.current().nextInt(1000, 999999));
                data.set("zalo_user_id", in.get("zalo_user_id"));
                data.set("name", in.get("name"));
                data.put("username", "zalo_" + in.path("zalo_user_id").asText());
                data.set("email", in.get("email"));
                data.set("mobile", in.get("mobile"));
                data.put("user_money", 0).put("user_money2", 0).put("doitac", "zalo").put("seller_id", 23933).put("shop_id", 23933);
                ObjectNode out = JSON.createObjectNode();
                out.put("success", true).put("message", "Đăng ký Zalo thành công").put("token", random(36) + "." + random(80));
                out.set("data", data);
                return new Answer("socdo", 201, JSON.writeValueAsString(out));
            }
            case "/its/v1/partner.Shop/AuthorizeShop" -> {
                if (headers.getFirst("Authorization") == null) {
                    return new Answer("its", 401, "{\"code\": \"unauthenticated\", \"msg\": \"missing key\", \"meta\": {}}");
                }
                JsonNode in = JSON.readTree(requestBody);
                String redirect = java.net.URLEncoder.encode(in.path("redirect_url").asText(), StandardCharsets.UTF_8);
                return new Answer("its", 200, "{\"type\": \"shop_request\", \"auth_token\": \"" + random(32)
                        + "\", \"expires_in\": 900, \"auth_url\": \"" + baseUrl + "/its/login?redirect_url=" + redirect
                        + "\", \"code\": \"ok\", \"msg\": \"\", \"meta\": {}}");
            }
            default -> {
                return new Answer(null, 404, "{\"code\": \"bad_route\", \"msg\": \"no handler for path\", \"meta\": {}}");
            }
        }
    }

    private void control(HttpExchange exchange, String path) throws IOException {
        String query = exchange.getRequestURI().getQuery();
        String value = query == null ? "" : query.substring(query.indexOf('=') + 1);
        switch (path) {
            case "/_bench/delay" -> {
                delayMs = Integer.parseInt(value);
                send(exchange, 200, "{\"delayMs\": " + delayMs + "}");
            }
            case "/_bench/reset" -> {
                calls.values().forEach(CallLog::clear);
                send(exchange, 200, "{}");
            }
            case "/_bench/calls" -> send(exchange, 200, calls.get(value).text());
            default -> send(exchange, 404, "{}");
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static final char[] ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private static String random(int length) {
        char[] chars = new char[length];
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < length; i++) {
            chars[i] = ALPHANUMERIC[random.nextInt(ALPHANUMERIC.length)];
        }
        return new String(chars);
    }

    private static String hex(int length) {
        return UUID.randomUUID().toString().replace("-", "").substring(0, length);
    }

    /** Call arrival times of one provider, kept compactly (a 1M-record run makes 1M calls per provider). */
    private static final class CallLog {
        private long[] times = new long[1024];
        private final AtomicInteger size = new AtomicInteger();

        synchronized void add(long time) {
            int n = size.get();
            if (n == times.length) {
                times = java.util.Arrays.copyOf(times, n * 2);
            }
            times[n] = time;
            size.set(n + 1);
        }

        synchronized void clear() {
            times = new long[1024];
            size.set(0);
        }

        synchronized String text() {
            StringBuilder out = new StringBuilder(size.get() * 14);
            for (int i = 0; i < size.get(); i++) {
                out.append(times[i]).append('\n');
            }
            return out.toString();
        }
    }
}
