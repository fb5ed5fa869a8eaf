package vn.onboardinghub.ops;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * In front of the console's Jolokia: lets through only requests of the shapes the console sends, so that what
 * {@link ConsolePolicy} allows is all a request can reach, and only as a plain value. Refused (403):
 * <ul>
 *   <li>any GET but the version ({@code /jolokia}, {@code /jolokia/version}): Jolokia's URL syntax is not parsed
 *       here, so it is not let through;</li>
 *   <li>a POST whose body is not JSON (one request or a list of them, no duplicate keys), or in which a request
 *       has a member other than {@code type}, {@code mbean}, {@code attribute}, {@code operation},
 *       {@code arguments}, and {@code path} for a {@code list} (a position in the MBean tree). So no read or
 *       operation follows a path into a value (an object's fields, a map's entries), no request names a proxy
 *       {@code target} or sets its own processing options;</li>
 *   <li>a read of an MBean pattern ({@code read *:*}): each read names one MBean;</li>
 *   <li>a query parameter other than the processing options the console sends, or above the limits below.</li>
 * </ul>
 */
final class ConsoleJolokiaFilter implements Filter {
    /**
     * The largest request body read. The console's largest is its JMX tree's permission question, one entry per
     * MBean (about 250 KB for this hub).
     */
    static final int MAX_BODY_BYTES = 4 << 20;
    /** Serialization limits: the agent's defaults, and the most a request may ask (the console's own settings). */
    static final int MAX_DEPTH = 9;
    static final int MAX_COLLECTION_SIZE = 50_000;
    static final int MAX_OBJECTS = 500_000;
    private static final Set<String> REQUEST_KEYS = Set.of("type", "mbean", "attribute", "operation", "arguments",
            "config");
    private static final Map<String, Predicate<String>> PARAMETERS = Map.of(
            "maxDepth", atMost(MAX_DEPTH),
            "maxCollectionSize", atMost(MAX_COLLECTION_SIZE),
            "maxObjects", atMost(MAX_OBJECTS),
            "ignoreErrors", Set.of("true", "false")::contains,
            "serializeLong", Set.of("number", "string")::contains,
            "canonicalNaming", Set.of("true", "false")::contains,
            "mimeType", Set.of("application/json", "text/plain")::contains);
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleJolokiaFilter.class);
    private final ObjectMapper mapper = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        if ("OPTIONS".equals(request.getMethod())) {
            // a CORS preflight: answered by Jolokia for the console's own origins only
            chain.doFilter(req, res);
            return;
        }
        String path = request.getPathInfo();
        if ("GET".equals(request.getMethod()) && request.getQueryString() == null
                && (path == null || Set.of("/", "/version", "/version/").contains(path))) {
            // the console's first question: which agent is there
            chain.doFilter(req, res);
            return;
        }
        if (!"POST".equals(request.getMethod())) {
            LOG.debug("refused a Jolokia request: not a POST");
            response.sendError(HttpServletResponse.SC_FORBIDDEN, "only POST of JSON requests");
            return;
        }
        for (Map.Entry<String, String[]> parameter : request.getParameterMap().entrySet()) {
            Predicate<String> allowed = PARAMETERS.get(parameter.getKey());
            if (allowed == null || parameter.getValue().length != 1 || !allowed.test(parameter.getValue()[0])) {
                LOG.debug("refused a Jolokia request: processing parameter not allowed");
                response.sendError(HttpServletResponse.SC_FORBIDDEN, "processing parameter not allowed");
                return;
            }
        }
        byte[] body = request.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
        if (body.length > MAX_BODY_BYTES) {
            response.sendError(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "request too large");
            return;
        }
        String refusal = refusal(body);
        if (refusal != null) {
            LOG.debug("refused a Jolokia request: {}", refusal);
            response.sendError(HttpServletResponse.SC_FORBIDDEN, refusal);
            return;
        }
        chain.doFilter(new ReplayedBody(request, body), res);
    }

    /** Why the body is refused, or null when every request in it has an allowed shape. */
    String refusal(byte[] body) {
        JsonNode json;
        try {
            json = mapper.readTree(body);
        } catch (IOException e) {
            return "not a JSON request";
        }
        if (json == null || !(json.isObject() || json.isArray()) || json.isEmpty()) {
            return "not a JSON request";
        }
        Iterator<JsonNode> requests = json.isArray() ? json.elements() : List.of(json).iterator();
        while (requests.hasNext()) {
            String refusal = requestRefusal(requests.next());
            if (refusal != null) {
                return refusal;
            }
        }
        return null;
    }

    private static String requestRefusal(JsonNode request) {
        if (!request.isObject()) {
            return "not a JSON request";
        }
        String type = request.path("type").asText("").toLowerCase(Locale.ROOT);
        Iterator<String> keys = request.fieldNames();
        while (keys.hasNext()) {
            String key = keys.next();
            // "path" above all: reading into a value is never allowed, only a position in the MBean tree
            if (!REQUEST_KEYS.contains(key) && !("path".equals(key) && "list".equals(type))) {
                return "request member not allowed";
            }
        }
        JsonNode config = request.path("config");
        if (!config.isMissingNode()) {
            // processing options per request: those allowed as parameters, within the same limits
            if (!config.isObject()) {
                return "processing option not allowed";
            }
            Iterator<Map.Entry<String, JsonNode>> options = config.fields();
            while (options.hasNext()) {
                Map.Entry<String, JsonNode> option = options.next();
                Predicate<String> allowed = PARAMETERS.get(option.getKey());
                if (allowed == null || !option.getValue().isValueNode() || !allowed.test(option.getValue().asText())) {
                    return "processing option not allowed";
                }
            }
        }
        if ("read".equals(type)) {
            try {
                if (new ObjectName(request.path("mbean").asText("")).isPattern()) {
                    return "reading an MBean pattern is not allowed";
                }
            } catch (MalformedObjectNameException e) {
                return "invalid MBean name";
            }
        }
        return null;
    }

    private static Predicate<String> atMost(int limit) {
        return value -> {
            try {
                int number = Integer.parseInt(value);
                return number > 0 && number <= limit;
            } catch (NumberFormatException e) {
                return false;
            }
        };
    }

    /** The request with its body, already read, given to Jolokia again. */
    private static final class ReplayedBody extends HttpServletRequestWrapper {
        private final byte[] body;

        ReplayedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            InputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    try {
                        return in.available() == 0;
                    } catch (IOException e) {
                        return true;
                    }
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("blocking reads only");
                }

                @Override
                public int read() throws IOException {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body),
                    encoding != null ? Charset.forName(encoding) : StandardCharsets.UTF_8));
        }
    }
}
