package vn.onboardinghub.api;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.impl.VertxInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds on the HTTP connections of every server the hub's Vert.x creates (the REST API and the management port,
 * which Camel builds with default options): a connection without traffic for {@code idleTimeoutSeconds} is closed,
 * and a server holds at most {@code maxConnections} connections, at most {@code maxPerAddress} from one client
 * address; a connection over either bound is closed at once. So idle or abandoned connections cannot use up the
 * process's file descriptors, and one address cannot starve the others (or readiness checks on the management port).
 * Camel's platform-http has no setting for these, so the Vert.x instance it is given creates its servers with them.
 */
public final class HttpServerLimits {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServerLimits.class);

    private HttpServerLimits() {
    }

    public static Vertx apply(Vertx vertx, int idleTimeoutSeconds, int maxConnections, int maxPerAddress) {
        return (Vertx) Proxy.newProxyInstance(HttpServerLimits.class.getClassLoader(), new Class<?>[]{VertxInternal.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("createHttpServer") && args != null && args.length == 1
                            && args[0] instanceof HttpServerOptions options) {
                        HttpServerOptions bounded = new HttpServerOptions(options)
                                .setIdleTimeout(idleTimeoutSeconds).setIdleTimeoutUnit(TimeUnit.SECONDS);
                        HttpServer server = vertx.createHttpServer(bounded);
                        server.invalidRequestHandler(request -> answerInvalid(request, bounded));
                        return server.connectionHandler(new Bounds(maxConnections, maxPerAddress)::admit);
                    }
                    return invoke(vertx, method, args);
                });
    }

    /**
     * A request Vert.x could not read (its line or headers over the server's bounds, or not HTTP): the API's JSON error
     * body instead of Vert.x's empty 414/431/400, then the connection is closed as Vert.x does (the rest of it cannot
     * be read as requests).
     */
    private static void answerInvalid(HttpServerRequest request, HttpServerOptions options) {
        Throwable cause = request.decoderResult().cause();
        int status;
        String message;
        if (cause instanceof TooLongHttpLineException) {
            status = 414;
            message = "the request line is longer than " + options.getMaxInitialLineLength() + " bytes";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = 431;
            message = "the request headers are larger than " + options.getMaxHeaderSize() + " bytes";
        } else {
            status = 400;
            message = "the request is not valid HTTP/1.1";
        }
        HttpServerResponse response = request.response();
        response.setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("Connection", "close")
                .end("{\"error\":{\"code\":\"INVALID_REQUEST\",\"message\":\"" + message + "\"}}");
        response.close();
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** One server's open connections, in all and by client address. */
    private static final class Bounds {
        private final int max;
        private final int maxPerAddress;
        private final AtomicInteger open = new AtomicInteger();
        private final Map<String, AtomicInteger> byAddress = new ConcurrentHashMap<>();
        private volatile long lastWarning;

        Bounds(int max, int maxPerAddress) {
            this.max = max;
            this.maxPerAddress = maxPerAddress;
        }

        void admit(HttpConnection connection) {
            String address = connection.remoteAddress() == null ? "?" : connection.remoteAddress().host();
            AtomicInteger fromAddress = byAddress.computeIfAbsent(address, a -> new AtomicInteger());
            int total = open.incrementAndGet();
            int own = fromAddress.incrementAndGet();
            connection.closeHandler(closed -> {
                open.decrementAndGet();
                if (fromAddress.decrementAndGet() == 0) {
                    byAddress.remove(address, fromAddress);
                }
            });
            if (total > max || own > maxPerAddress) {
                warn(total > max ? "the server holds " + max + " connections (hub.http.max-connections)"
                        : address + " holds " + maxPerAddress + " connections (hub.http.max-connections-per-address)");
                connection.close();
            }
        }

        /** At most one line a minute: a flood of connections must not flood the log too. */
        private void warn(String why) {
            long now = System.nanoTime();
            if (now - lastWarning > TimeUnit.MINUTES.toNanos(1)) {
                lastWarning = now;
                LOG.warn("HTTP connections refused: {}", why);
            }
        }
    }
}
