package vn.onboardinghub.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.vertx.core.net.SocketAddress;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onboardinghub.core.NothingForMerchantException;
import vn.onboardinghub.core.OnboardingNotFoundException;
import vn.onboardinghub.core.Onboardings;
import vn.onboardinghub.model.InvalidRequestException;
import vn.onboardinghub.model.RequestError;
import vn.onboardinghub.store.BatchNotFoundException;
import vn.onboardinghub.store.InfrastructureUnavailableException;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The REST channel's edges: who is calling (API client by key, never from the URL), its rate limit, JSON replies
 * that echo no request header, error bodies, and one access log line per call.
 */
public class Api {
    private static final Logger LOG = LoggerFactory.getLogger(Api.class);
    private static final Logger ACCESS = LoggerFactory.getLogger("vn.onboardinghub.api.access");
    private static final String KEY_HEADER = "X-API-Key";
    private static final String REMOTE_ADDRESS = "CamelVertxPlatformHttpRemoteAddress";
    private static final String METHOD = "accessMethod";
    private static final String PATH = "accessPath";
    /** The Retry-After of a 503 during an outage: long enough not to hammer a database coming back. */
    static final int RETRY_AFTER_OUTAGE_SECONDS = 10;
    private final ApiClients clients;
    private final KeyGuessThrottle keyGuesses;
    private final ObjectMapper mapper;

    public Api(ApiClients clients, KeyGuessThrottle keyGuesses, ObjectMapper mapper) {
        this.clients = clients;
        this.keyGuesses = keyGuesses;
        this.mapper = mapper;
    }

    /**
     * Finds the calling client by its {@code X-API-Key} header (exchange properties {@link Onboardings#CLIENT} and
     * {@link Onboardings#READ_ALL}), or refuses the call: a key in the URL (it would end up in proxies' and browsers'
     * logs), an address that guessed too many keys, an unknown key, a client over its rate limit.
     */
    public void authenticate(Exchange exchange) {
        Message message = exchange.getMessage();
        remember(exchange);
        String address = remoteAddress(message);
        Optional<Duration> throttled = keyGuesses.throttled(address);
        if (throttled.isPresent()) {
            throw RefusedException.tooManyRequests("too many refused API keys from this address; try again later",
                    seconds(throttled.get()));
        }
        if (keyInQuery(message.getHeader(Exchange.HTTP_QUERY, String.class))) {
            throw RefusedException.unauthorized("send the API key in the X-API-Key header, never in the URL");
        }
        Object given = message.getHeader(KEY_HEADER);
        ApiClients.Client client = (given instanceof String key ? clients.authenticate(key) : Optional.<ApiClients.Client>empty())
                .orElseGet(() -> {
                    keyGuesses.refused(address, exchange.getProperty(METHOD, String.class), exchange.getProperty(PATH, String.class));
                    throw RefusedException.unauthorized("missing or invalid X-API-Key");
                });
        exchange.setProperty(Onboardings.CLIENT, client.name());
        // the caller waits on the line: during a database outage it is told at once to try again (503)
        exchange.setProperty(Onboardings.ANSWER_NOW, true);
        exchange.setProperty(Onboardings.READ_ALL, client.readAll());
        RateLimiter limit = client.rateLimit();
        if (limit != null && !limit.acquirePermission()) {
            throw RefusedException.tooManyRequests("more than " + limit.getRateLimiterConfig().getLimitForPeriod()
                    + " requests per second from this API client", seconds(Duration.ofNanos(
                    ((AtomicRateLimiter) limit).getDetailedMetrics().getNanosToWait())));
        }
    }

    /** {@code GET /api/v1/batches} (and one batch) shows every client's files: only for a client that may read all. */
    public void requireReadAll(Exchange exchange) {
        if (!exchange.getProperty(Onboardings.READ_ALL, false, Boolean.class)) {
            throw RefusedException.forbidden("this API client may not read batches (hub.api.clients."
                    + exchange.getProperty(Onboardings.CLIENT, String.class) + ".read-all)");
        }
    }

    /** Writes the body as JSON; only the status, Location and Retry-After survive, so no request header is echoed back. */
    public void reply(Exchange exchange) throws JsonProcessingException {
        remember(exchange);
        Message message = exchange.getMessage();
        Object status = message.getHeader(Exchange.HTTP_RESPONSE_CODE);
        Object location = message.getHeader("Location");
        Object retryAfter = message.getHeader("Retry-After");
        message.getHeaders().clear();
        if (status != null) {
            message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        }
        if (location != null) {
            message.setHeader("Location", location);
        }
        if (retryAfter != null) {
            message.setHeader("Retry-After", retryAfter);
        }
        Object body = message.getBody();
        if (body != null) {
            message.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        }
        if (body != null && !(body instanceof String)) {
            message.setBody(mapper.writeValueAsString(body));
        }
        ACCESS.info("client={} {} {} {} onboardingId={}", exchange.getProperty(Onboardings.CLIENT, "-", String.class),
                exchange.getProperty(METHOD), exchange.getProperty(PATH), status == null ? 200 : status,
                exchange.getProperty(Onboardings.ID, "-", String.class));
    }

    /** The handled exception as an error body: 400 with violations, 401/403/429, 404, or 500 without internals. */
    public void error(Exchange exchange) throws JsonProcessingException {
        remember(exchange);
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        RequestError error;
        int status;
        if (e instanceof InvalidRequestException invalid) {
            status = 400;
            error = invalid.error();
        } else if (e instanceof RefusedException refused) {
            status = refused.status();
            error = new RequestError(refused.code(), refused.getMessage(), null);
            if (refused.retryAfterSeconds() > 0) {
                exchange.getMessage().setHeader("Retry-After", String.valueOf(refused.retryAfterSeconds()));
            }
        } else if (InfrastructureUnavailableException.isOutage(e)) {
            // the hub's own infrastructure, not the request: the same request later will do
            status = 503;
            LOG.warn("request answered 503: {}", e.getMessage());
            error = new RequestError("SERVICE_UNAVAILABLE", "The hub's database is unavailable for now. Send the"
                    + " same request again later: with the same requestId it is not onboarded twice.", null);
            exchange.getMessage().setHeader("Retry-After", String.valueOf(RETRY_AFTER_OUTAGE_SECONDS));
        } else if (e instanceof OnboardingNotFoundException || e instanceof BatchNotFoundException) {
            status = 404;
            error = new RequestError("NOT_FOUND", e.getMessage(), null);
        } else if (e instanceof NothingForMerchantException) {
            status = 409;
            error = new RequestError("NOTHING_FOR_MERCHANT", e.getMessage(), null);
        } else {
            status = 500;
            LOG.error("request failed: {}", e == null ? "unknown" : e.getClass().getName(), e);
            error = new RequestError("INTERNAL_ERROR", "The hub could not process this request; its log has the details.", null);
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setBody(Map.of("error", error));
        reply(exchange);
    }

    /**
     * The method and path (never the query: it may hold what should not be logged) for the access log line; run first
     * on every API route (the public ones too, whose steps may clear the request's headers before the reply).
     */
    public static void remember(Exchange exchange) {
        if (exchange.getProperty(METHOD) == null) {
            Message message = exchange.getMessage();
            String uri = message.getHeader(Exchange.HTTP_URI, "", String.class);
            int query = uri.indexOf('?');
            exchange.setProperty(METHOD, message.getHeader(Exchange.HTTP_METHOD, "-", String.class));
            exchange.setProperty(PATH, query < 0 ? uri : uri.substring(0, query));
        }
    }

    private static String remoteAddress(Message message) {
        Object address = message.getHeader(REMOTE_ADDRESS);
        return address instanceof SocketAddress socket && socket.host() != null ? socket.host() : String.valueOf(address);
    }

    /** A query parameter named like an API key ({@code X-API-Key}, {@code api_key} …, in any case or encoding). */
    private static boolean keyInQuery(String query) {
        return query != null && Arrays.stream(query.split("&"))
                .map(Api::parameterName)
                .anyMatch(name -> name.equals("x-api-key") || name.equals("api-key") || name.equals("apikey"));
    }

    private static String parameterName(String parameter) {
        String name = parameter.split("=", 2)[0];
        try {
            name = URLDecoder.decode(name, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            // compared as it is
        }
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static long seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }
}
