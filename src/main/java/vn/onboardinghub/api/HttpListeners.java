package vn.onboardinghub.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.impl.TCPServerBase;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import vn.onboardinghub.StartRefusedException;
import vn.onboardinghub.core.MerchantLinks;
import vn.onboardinghub.model.RequestError;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.Set;
import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The REST and management listeners (Camel's platform-http on Vert.x). Camel only logs a WARN when a port cannot be
 * bound and runs on without that listener, readiness included: here the start fails instead, with one line naming
 * the port and its setting. The REST listener also answers unknown paths and wrong methods with the API's JSON error
 * body instead of Vert.x's HTML page and empty 405.
 */
public final class HttpListeners implements StartupListener {
    private final ObjectMapper mapper;

    public HttpListeners(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        Set<VertxPlatformHttpRouter> routers = context.getRegistry().findByType(VertxPlatformHttpRouter.class);
        for (VertxPlatformHttpRouter router : routers) {
            String setting = router.isManagementServer() ? "camel.management.port" : "camel.server.port";
            if (!serving(router)) {
                String host = router.getServer().getHost();
                int port = router.getServer().getPort();
                throw refused(host, port, setting, whyNotBindable(host, port));
            }
            if (router.isMainServer()) {
                merchantPagesNotStored(router);
                answerUnmatchedRequests(context, router);
                answerTooLargeBodies(context, router);
            }
            if (router.isManagementServer()) {
                healthWithStatesOnly(context, router);
            }
        }
    }

    /**
     * A last route, after every REST route: a path the API has (with another method) is 405, anything else 404, both
     * with the API's JSON error body. Vert.x's own 404 page and empty 405 come from the server's top router, which
     * Camel does not expose, so the answer is given before the request gets back there.
     */
    private void answerUnmatchedRequests(CamelContext context, VertxPlatformHttpRouter router) {
        PlatformHttpComponent component = context.getComponent(PlatformHttpConstants.PLATFORM_HTTP_COMPONENT_NAME,
                PlatformHttpComponent.class);
        Handler<RoutingContext> notFound = json(404, "NOT_FOUND", "no such resource; the API is under /api/v1 (see /api/v1/openapi.json)");
        Handler<RoutingContext> notAllowed = json(405, "METHOD_NOT_ALLOWED", "this method is not allowed on this path"
                + " (see /api/v1/openapi.json)");
        router.route().last().handler(routing -> {
            String path = routing.normalizedPath();
            boolean known = component != null && component.getHttpEndpoints().stream()
                    .anyMatch(endpoint -> pathPattern(endpoint.getUri()).matcher(path).matches());
            (known ? notAllowed : notFound).handle(routing);
        });
    }

    /**
     * Every answer under {@code /m/} (merchant pages, whose URLs carry the merchant's token) is {@code Cache-Control:
     * no-store}: Camel's HTTP binding drops a Cache-Control header a route sets, so it is set here as the answer goes out.
     */
    private static void merchantPagesNotStored(VertxPlatformHttpRouter router) {
        router.route(MerchantLinks.PATH + "*").order(-1).handler(routing -> {
            routing.addHeadersEndHandler(end -> routing.response().headers().set("Cache-Control", "no-store"));
            routing.next();
        });
    }

    /**
     * The health paths answer with the overall state and each check's name and state, nothing else, whatever the
     * request asks: Camel's own handler (run after these, so never reached) adds the checks' messages and errors at
     * level {@code full}, and any caller gets stack traces and check data with {@code ?stackTrace=true&data=true}
     * or a level of its choice with {@code ?exposureLevel=}. The port has no login, so it shows no detail.
     */
    private void healthWithStatesOnly(CamelContext context, VertxPlatformHttpRouter router) {
        if (!Boolean.parseBoolean(context.getPropertiesComponent().resolveProperty("camel.management.health-check-enabled")
                .map(String::strip).orElse("false"))) {
            return;
        }
        String path = context.getPropertiesComponent().resolveProperty("camel.management.health-path")
                .map(String::strip).filter(p -> !p.isEmpty()).orElse("/observe/health");
        Map<String, Function<CamelContext, Collection<HealthCheck.Result>>> kinds = Map.of(
                path, c -> HealthCheckHelper.invoke(c, "full"),
                path + "/live", c -> HealthCheckHelper.invokeLiveness(c, "full"),
                path + "/ready", c -> HealthCheckHelper.invokeReadiness(c, "full"));
        kinds.forEach((kindPath, invoke) -> router.route(kindPath).order(-1).method(HttpMethod.GET).blockingHandler(routing -> {
            Collection<HealthCheck.Result> results = invoke.apply(context);
            boolean up = HealthCheckHelper.isResultsUp(results, kindPath.endsWith("/ready"));
            List<Map<String, String>> checks = results.stream()
                    .sorted(Comparator.comparing(r -> r.getCheck().getId()))
                    .map(r -> Map.of("name", r.getCheck().getId(), "status", r.getState().name())).toList();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", up ? "UP" : "DOWN");
            body.put("checks", checks);
            try {
                routing.response().setStatusCode(up ? 200 : 503).putHeader("Content-Type", "application/json")
                        .end(mapper.writeValueAsString(body));
            } catch (JsonProcessingException e) {
                routing.fail(e);
            }
        }, false));
    }

    /**
     * A body over {@code camel.server.max-body-size} fails the request with 413 (Vert.x's body handler); it is answered
     * with the API's JSON error body instead of Vert.x's plain text. Other failures go on as before.
     */
    private void answerTooLargeBodies(CamelContext context, VertxPlatformHttpRouter router) {
        String limit = context.getPropertiesComponent().resolveProperty("camel.server.max-body-size")
                .map(String::strip).filter(v -> !v.isEmpty()).orElse(null);
        Handler<RoutingContext> tooLarge = json(413, "INVALID_REQUEST", "the request body is too large"
                + (limit != null ? ": at most " + limit + " bytes" : ""));
        router.route().order(-1).failureHandler(routing -> {
            if (routing.statusCode() == 413) {
                tooLarge.handle(routing);
            } else {
                routing.next();
            }
        });
    }

    /** {@code /api/v1/onboardings/{onboardingId}} as a pattern of the paths it serves. */
    private static Pattern pathPattern(String uri) {
        return Pattern.compile(Arrays.stream(uri.split("\\{[^}/]*}", -1)).map(Pattern::quote).collect(Collectors.joining("[^/]+")));
    }

    /** Is the listener of that kind serving? For readiness: a listener that is not serving is not ready. */
    public static boolean serving(CamelContext context, boolean management) {
        return context.getRegistry().findByType(VertxPlatformHttpRouter.class).stream()
                .filter(router -> router.isManagementServer() == management)
                .allMatch(HttpListeners::serving);
    }

    private static boolean serving(VertxPlatformHttpRouter router) {
        HttpServer server = router.getServer().getServer();
        // Vert.x's own state: its port number is set before the bind is tried, so it says nothing
        return server instanceof TCPServerBase tcp && tcp.isListening();
    }

    /**
     * Refuses the start at once when the port is already taken, before Vert.x tries it (its failure is a WARN and a
     * stack trace); a port taken between this check and Vert.x's bind is caught once the servers started.
     */
    public static void requireFree(String host, int port, String setting) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw refused(host, port, setting, reason(e));
        }
    }

    private static StartRefusedException refused(String host, int port, String setting, String reason) {
        return new StartRefusedException("cannot listen on port " + port + " (" + setting + ") of " + host + ": "
                + reason + "; stop what uses it or set " + setting + " to a free port");
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? "the port could not be opened" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
    }

    /** Vert.x does not tell why the bind failed; trying it again does ("Address already in use"). */
    private static String whyNotBindable(String host, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(host, port));
            return "the port could not be opened";
        } catch (IOException e) {
            return reason(e);
        }
    }

    private Handler<RoutingContext> json(int status, String code, String message) {
        String body;
        try {
            body = mapper.writeValueAsString(Map.of("error", new RequestError(code, message, null)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return routing -> {
            if (!routing.response().ended()) {
                routing.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8").end(body);
            }
        };
    }
}
