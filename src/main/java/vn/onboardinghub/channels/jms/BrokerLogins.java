package vn.onboardinghub.channels.jms;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Function;

/**
 * The broker logins: the hub's own ({@code hub.broker.username} / {@code hub.broker.password}), used by its
 * connection factory and readiness check on any broker, and, for the embedded broker, the one bus clients share
 * ({@code hub.broker.client-username} / {@code hub.broker.client-password}). A password left unset for the embedded
 * broker is generated once into an owner-only file under {@code <hub.data-dir>/keys/}.
 *
 * @param hubUsername   null only for an external broker without login on loopback
 * @param clientUsername null for an external broker (its own users apply)
 */
record BrokerLogins(String hubUsername, String hubPassword, String clientUsername, String clientPassword) {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerLogins.class);

    @Override
    public String toString() {
        return "BrokerLogins[hub=" + hubUsername + ", client=" + clientUsername + "]";
    }

    /**
     * @param setting a setting by key, null when unset or blank
     * @throws IllegalStateException a broker URL reachable from other machines without the hub's login set
     */
    static BrokerLogins resolve(Function<String, String> setting, String url, boolean embedded, Path dataDir) throws IOException {
        String hubUsername = setting.apply("hub.broker.username");
        String hubPassword = setting.apply("hub.broker.password");
        String clientPassword = setting.apply("hub.broker.client-password");
        if (!onLoopback(url) && (hubUsername == null || hubPassword == null || embedded && clientPassword == null)) {
            throw new IllegalStateException("hub.broker.url=" + printable(url) + " is reachable from other machines: set hub.broker.username and"
                    + " hub.broker.password" + (embedded ? " and hub.broker.client-password" : "")
                    + " (HUB_BROKER_USERNAME, HUB_BROKER_PASSWORD" + (embedded ? ", HUB_BROKER_CLIENT_PASSWORD" : "") + ")");
        }
        if (!embedded) {
            return new BrokerLogins(hubUsername, hubPassword, null, null);
        }
        Path keys = dataDir.resolve("keys");
        String clientUsername = setting.apply("hub.broker.client-username");
        clientUsername = clientUsername != null ? clientUsername : "bus";
        if (clientPassword == null) {
            Path file = keys.resolve("broker-client.password");
            clientPassword = passwordFile(file, "the bus clients' broker password (hub.broker.client-password)");
            LOG.info("bus clients log in to the broker as {} with the password in {}", clientUsername, file);
        }
        return new BrokerLogins(hubUsername != null ? hubUsername : "hub",
                hubPassword != null ? hubPassword : passwordFile(keys.resolve("broker-hub.password"), "the hub's broker password"),
                clientUsername, clientPassword);
    }

    /**
     * The URL for a log line or message: without its parameters, which may hold a trust or key store password
     * ({@code ?sslEnabled=true;trustStorePassword=…}).
     */
    static String printable(String url) {
        int parameters = url.indexOf('?');
        return parameters < 0 ? url : url.substring(0, parameters) + "?…";
    }

    /** Loopback only: an address the URL does not name plainly (several hosts, a name that does not resolve) is not. */
    static boolean onLoopback(String url) {
        try {
            String host = URI.create(url).getHost();
            return host != null && InetAddress.getByName(host).isLoopbackAddress();
        } catch (IllegalArgumentException | IOException e) {
            return false;
        }
    }

    /** Reads a generated password, creating it (owner-only) on first use; logs its file, never its value. */
    private static String passwordFile(Path file, String what) throws IOException {
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        }
        Files.createDirectories(file.getParent());
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, password, StandardCharsets.UTF_8);
        LOG.info("generated {} in {}", what, file);
        return password;
    }
}
