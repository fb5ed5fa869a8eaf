package vn.onboardinghub.ops;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.HandlerWrapper;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses (403) every request to the Hawtio console that a web page of another origin could have made, before
 * Hawtio or its Jolokia see it:
 * <ul>
 *   <li>a {@code Host} the console is not reached by (DNS rebinding: a foreign name resolving to this machine);</li>
 *   <li>an {@code Origin} other than the console's own (cross-origin {@code fetch}, form posts);</li>
 *   <li>a browser's cross-site or same-site subresource request ({@code Sec-Fetch-Site}: an {@code <img>} or
 *       {@code <script>} sends no {@code Origin}), and any cross-site request to {@code /jolokia}, navigations
 *       included. Other localhost ports are "same-site", hence refused too. Clients that are not browsers
 *       (curl, scripts) send neither header and pass.</li>
 * </ul>
 * The console's own origins are {@code http://<name>:<port>} for this machine's loopback names and bind address,
 * and any scheme and port of the names in {@code hub.hawtio.allowed-hosts} (a reverse proxy in front).
 */
final class ConsoleRequestGuard extends HandlerWrapper {
    private static final List<String> LOOPBACK_NAMES = List.of("localhost", "127.0.0.1", "[::1]", "::1");

    private final Set<String> localNames;
    private final Set<String> configuredNames;
    private final Set<String> localOrigins = new LinkedHashSet<>();

    /**
     * @param bindHost        the address the console listens on ({@code hub.hawtio.host}); a wildcard address adds
     *                        this machine's interface addresses and host name to the names it is reached by
     * @param port            the port it listens on
     * @param configuredNames {@code hub.hawtio.allowed-hosts}
     */
    ConsoleRequestGuard(String bindHost, int port, Collection<String> configuredNames) {
        this.localNames = localNames(bindHost);
        this.configuredNames = new LinkedHashSet<>();
        configuredNames.forEach(name -> this.configuredNames.add(name.strip().toLowerCase(Locale.ROOT)));
        for (String name : localNames) {
            if (!"::1".equals(name) && !(name.contains(":") && !name.startsWith("["))) {
                localOrigins.add("http://" + name + ":" + port);
            }
        }
    }

    /** The origins the console's Jolokia may answer with CORS headers, as Jolokia {@code <allow-origin>} patterns. */
    List<String> jolokiaAllowedOrigins() {
        List<String> origins = new ArrayList<>(localOrigins);
        for (String name : configuredNames) {
            origins.add("*://" + name);
            origins.add("*://" + name + ":*");
        }
        return origins;
    }

    /** Whether browsers reach the console over https through a reverse proxy (a configured name). */
    boolean behindProxy() {
        return !configuredNames.isEmpty();
    }

    @Override
    public void handle(String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        String refusal = refusal(request);
        if (refusal != null) {
            baseRequest.setHandled(true);
            response.sendError(HttpServletResponse.SC_FORBIDDEN, refusal);
            return;
        }
        // the login throttle counts failures per client address and user name
        ConsoleLoginModule.CLIENT_ADDRESS.set(request.getRemoteAddr());
        try {
            super.handle(target, baseRequest, request, response);
        } finally {
            ConsoleLoginModule.CLIENT_ADDRESS.remove();
        }
    }

    /** Why the request is refused, or null when it may go on. */
    String refusal(HttpServletRequest request) {
        if (!acceptsHost(request.getServerName())) {
            return "unknown Host: add it to hub.hawtio.allowed-hosts";
        }
        String origin = request.getHeader("Origin");
        if (origin != null && !acceptsOrigin(origin)) {
            return "cross-origin request refused";
        }
        String site = request.getHeader("Sec-Fetch-Site");
        if (site != null && !"same-origin".equals(site) && !"none".equals(site)) {
            // a link from elsewhere may open the console's pages, but never reach Jolokia or anything else
            boolean navigation = "navigate".equals(request.getHeader("Sec-Fetch-Mode")) && "GET".equals(request.getMethod());
            String path = request.getRequestURI();
            if (!navigation || path.startsWith(request.getContextPath() + "/jolokia")
                    || path.startsWith(request.getContextPath() + "/auth")) {
                return "cross-site request refused";
            }
        }
        return null;
    }

    private boolean acceptsHost(String serverName) {
        if (serverName == null) {
            return false;
        }
        String name = serverName.toLowerCase(Locale.ROOT);
        return localNames.contains(name) || configuredNames.contains(name);
    }

    private boolean acceptsOrigin(String origin) {
        String normalized = origin.strip().toLowerCase(Locale.ROOT);
        if (localOrigins.contains(normalized)) {
            return true;
        }
        try {
            URI uri = new URI(normalized);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && configuredNames.contains(uri.getHost()) && (uri.getPath() == null || uri.getPath().isEmpty());
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static Set<String> localNames(String bindHost) {
        Set<String> names = new LinkedHashSet<>(LOOPBACK_NAMES);
        InetAddress bound;
        try {
            bound = InetAddress.getByName(bindHost);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("hub.hawtio.host: unknown address " + bindHost, e);
        }
        if (!bound.isAnyLocalAddress()) {
            names.add(bindHost.toLowerCase(Locale.ROOT));
            names.add(literal(bound));
            return names;
        }
        // listening on every interface: reached by any of this machine's addresses or by its name
        try {
            for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
                nic.inetAddresses().forEach(address -> names.add(literal(address)));
            }
            names.add(InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT));
        } catch (SocketException | UnknownHostException e) {
            // the loopback names and hub.hawtio.allowed-hosts still reach it
        }
        return names;
    }

    /** The address as a Host header names it: IPv6 in brackets, without a zone. */
    private static String literal(InetAddress address) {
        String text = address.getHostAddress();
        int zone = text.indexOf('%');
        if (zone >= 0) {
            text = text.substring(0, zone);
        }
        return text.contains(":") ? "[" + text + "]" : text;
    }
}
