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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A caller's webhook endpoint on 127.0.0.1: keeps every request it gets, verifies it with the Standard Webhooks
 * reference library under its secret, and answers {@link #answer} (503 while "down"). {@link #stop} / {@link #start}
 * make connections to its port refused for a while; after {@link #hold} it answers no request (each still kept as it
 * arrives) until {@link #release}.
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
    /** While set, requests wait on it before they are answered. */
    private volatile CountDownLatch hold;
    private final AtomicInteger held = new AtomicInteger();
    /** Requests are handled side by side, so that held ones do not stop the others from arriving. */
    private final ExecutorService handlers = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "webhook-receiver");
        thread.setDaemon(true);
        return thread;
    });
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
            CountDownLatch latch = hold;
            if (latch != null) {
                held.incrementAndGet();
                try {
                    latch.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    held.decrementAndGet();
                }
            }
            int status = answer;
            if (location != null) {
                exchange.getResponseHeaders().add("Location", location);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.setExecutor(handlers);
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

    /** From now on requests get no answer until {@link #release}. */
    void hold() {
        hold = new CountDownLatch(1);
    }

    /** Answers the held requests, and the next ones at once. */
    void release() {
        CountDownLatch latch = hold;
        hold = null;
        if (latch != null) {
            latch.countDown();
        }
    }

    /** How many requests wait for {@link #release}. */
    int held() {
        return held.get();
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
        release();
        server.stop(0);
        handlers.shutdownNow();
    }
}
