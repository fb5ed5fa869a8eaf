package vn.onboardinghub.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onboardinghub.core.OnboardingNotFoundException;
import vn.onboardinghub.intake.InvalidRequestException;
import vn.onboardinghub.model.RequestError;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;

/** The REST channel's edges: API-key check, JSON replies that echo no request header, and error bodies. */
public class Api {
    private static final Logger LOG = LoggerFactory.getLogger(Api.class);
    private final List<byte[]> keys;
    private final ObjectMapper mapper;

    public Api(List<String> apiKeys, ObjectMapper mapper) {
        this.keys = apiKeys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
        this.mapper = mapper;
    }

    public void authenticate(Exchange exchange) {
        String given = exchange.getMessage().getHeader("X-API-Key", String.class);
        byte[] candidate = given == null ? new byte[0] : given.getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (byte[] key : keys) {
            ok |= MessageDigest.isEqual(key, candidate);
        }
        if (!ok) {
            throw new UnauthorizedException();
        }
    }

    /** Writes the body as JSON; only the status and Location survive, so no request header is echoed back. */
    public void reply(Exchange exchange) throws JsonProcessingException {
        Message message = exchange.getMessage();
        Object status = message.getHeader(Exchange.HTTP_RESPONSE_CODE);
        Object location = message.getHeader("Location");
        message.getHeaders().clear();
        if (status != null) {
            message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        }
        if (location != null) {
            message.setHeader("Location", location);
        }
        message.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        Object body = message.getBody();
        if (!(body instanceof String)) {
            message.setBody(mapper.writeValueAsString(body));
        }
    }

    /** The handled exception as an error body: 400 with violations, 401, 404, or 500 without internals. */
    public void error(Exchange exchange) throws JsonProcessingException {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        RequestError error;
        int status;
        if (e instanceof InvalidRequestException invalid) {
            status = 400;
            error = invalid.error();
        } else if (e instanceof UnauthorizedException) {
            status = 401;
            error = new RequestError("UNAUTHORIZED", e.getMessage(), null);
        } else if (e instanceof OnboardingNotFoundException) {
            status = 404;
            error = new RequestError("NOT_FOUND", e.getMessage(), null);
        } else {
            status = 500;
            LOG.error("request failed: {}", e == null ? "unknown" : e.getClass().getName(), e);
            error = new RequestError("INTERNAL_ERROR", "The hub could not process this request; its log has the details.", null);
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setBody(Map.of("error", error));
        reply(exchange);
    }
}
