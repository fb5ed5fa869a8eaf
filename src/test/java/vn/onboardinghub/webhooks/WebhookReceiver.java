package vn.onboardinghub.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A caller's webhook endpoint on 127.0.0.1: keeps every request it gets, verifies it with the Standard Webhooks
 * reference library under its secret, and answers {@link #answer} (503 while "down"). {@link #stop} / {@link #start}
 * make connections to its port refused for a while.
 */
final class WebhookReceiver implements AutoCloseable {
    static final ObjectMapper MAPPER = new ObjectMapper();

    /** One request as it arrived: its headers (names lower-cased) and body. */
    record Received(Map<String, List<String>> headers, String body) {
        String id() {
            return headers.get("webhook-id").get(0);
        }

        JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final String secret;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile int answer = 204;
    private volatile String location;
    private int port;
    private HttpServer server;

    WebhookReceiver(String secret) throws IOException {
        this.secret = secret;
        start();
    }

    synchronized void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, List<String>> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), new ArrayList<>(values)));
            received.add(new Received(headers, new String(body, StandardCharsets.UTF_8)));
            int status = answer;
            if (location != null) {
                exchange.getResponseHeaders().add("Location", location);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        port = server.getAddress().getPort();
    }

    /** Connections to its port are refused until {@link #start}. */
    synchronized void stop() {
        server.stop(0);
    }

    void answer(int status) {
        this.answer = status;
    }

    void redirectTo(String url) {
        this.location = url;
        this.answer = 302;
    }

    String url() {
        return "http://127.0.0.1:" + port + "/hooks/onboarding";
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    /** The requests the reference library accepts under this receiver's secret, at most once per webhook-id. */
    List<Received> verified() {
        Map<String, Received> byId = new LinkedHashMap<>();
        for (Received r : received) {
            if (verifies(secret, r.headers(), r.body())) {
                byId.putIfAbsent(r.id(), r);
            }
        }
        return List.copyOf(byId.values());
    }

    /** The Standard Webhooks reference verification (signature, 5 minute timestamp tolerance). */
    static boolean verifies(String secret, Map<String, List<String>> headers, String body) {
        try {
            new Webhook(secret).verify(body, headers);
            return true;
        } catch (Exception refused) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        server.stop(0);
    }
}
