package vn.onboardinghub.webhooks;

import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Where webhooks may go (server-side request forgery): outside sandbox mode only {@code https}, and never to a
 * loopback, link-local (169.254.0.0/16 with the cloud metadata address 169.254.169.254, fe80::/10), unspecified
 * (0.0.0.0, ::) or multicast address, nor to a private one (RFC 1918 10/8, 172.16/12, 192.168/16; shared
 * 100.64/10; benchmarking 198.18/15; IPv6 unique local fc00::/7) unless {@code hub.webhooks.allow-private-targets}; an
 * IPv6 address that carries an IPv4 one (IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16) is judged by it. Checked on the addresses
 * the name resolves to when the webhook is sent: the HTTP client connects only to addresses this resolver returned,
 * so a name cannot be re-pointed between the check and the connection. Sandbox mode (trying the hub out) also allows
 * {@code http} and loopback.
 */
public final class WebhookTargets implements DnsResolver {
    /** A target refused by the rules above; its message says why, and is what the delivery shows. */
    public static final class RefusedTargetException extends UnknownHostException {
        RefusedTargetException(String message) {
            super(message);
        }
    }

    private final boolean sandbox;
    private final boolean allowPrivate;
    private final DnsResolver system = SystemDefaultDnsResolver.INSTANCE;

    public WebhookTargets(boolean sandbox, boolean allowPrivate) {
        this.sandbox = sandbox;
        this.allowPrivate = allowPrivate;
    }

    /** The URL's scheme is allowed (https; http too in sandbox mode). */
    public void checkScheme(URI url) throws RefusedTargetException {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(sandbox && scheme.equals("http"))) {
            throw new RefusedTargetException("refused: the webhook URL must be https outside sandbox mode");
        }
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        InetAddress[] addresses = system.resolve(host);
        for (InetAddress address : addresses) {
            String refused = refusal(address);
            if (refused != null) {
                throw new RefusedTargetException("refused: " + host + " resolves to " + address.getHostAddress() + ", " + refused);
            }
        }
        return addresses;
    }

    @Override
    public String resolveCanonicalHostname(String host) throws UnknownHostException {
        return system.resolveCanonicalHostname(host);
    }

    /** Why an address is refused, or null when it is allowed. */
    String refusal(InetAddress address) {
        InetAddress embedded = embeddedIpv4(address);
        if (embedded != null) {
            // an IPv6 form that reaches an IPv4 address (IPv4-compatible, NAT64, 6to4) is judged by that address
            String refused = refusal(embedded);
            return refused == null ? null : refused + " (embedded in " + address.getHostAddress() + ")";
        }
        if (address.isLoopbackAddress()) {
            return sandbox ? null : "a loopback address";
        }
        if (isReservedOrTunnel(address)) {
            return "a reserved or tunnelled address";
        }
        if (address.isAnyLocalAddress() || isZeroNetwork(address)) {
            return "an unspecified address";
        }
        if (address.isLinkLocalAddress()) {
            return "a link-local address (such as the cloud metadata service)";
        }
        if (address.isMulticastAddress()) {
            return "a multicast address";
        }
        if (isPrivate(address) && !allowPrivate) {
            return "a private address (hub.webhooks.allow-private-targets is false)";
        }
        return null;
    }

    /**
     * The IPv4 address an IPv6 address carries and reaches: {@code ::a.b.c.d} (IPv4-compatible), {@code 64:ff9b::/96}
     * (NAT64) or {@code 2002::/16} (6to4); null for any other address.
     */
    static InetAddress embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return null;
        }
        byte[] b = address.getAddress();
        int from;
        if (isZero(b, 0, 12) && !isZero(b, 12, 16) && !address.isLoopbackAddress()) {
            from = 12;
        } else if (isZero(b, 0, 8) && (b[8] & 0xff) == 0xff && (b[9] & 0xff) == 0xff && isZero(b, 10, 12)) {
            // ::ffff:0:a.b.c.d (SIIT)
            from = 12;
        } else if ((b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && isZero(b, 4, 12)) {
            from = 12;
        } else if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            from = 2;
        } else {
            return null;
        }
        try {
            return InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, from, from + 4));
        } catch (UnknownHostException cannotHappen) {
            return null;
        }
    }

    /**
     * IPv4 240/4 (reserved, the broadcast address) and 192.0.0/24 (protocol assignments); IPv6 Teredo 2001::/32 and
     * local-use NAT64 64:ff9b:1::/48, whose IPv4 address cannot be read off plainly: refused, whatever they reach.
     */
    private static boolean isReservedOrTunnel(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return (b[0] & 0xf0) == 0xf0 || (b[0] & 0xff) == 192 && b[1] == 0 && b[2] == 0;
        }
        return (b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01 && b[2] == 0 && b[3] == 0
                || (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && b[4] == 0 && (b[5] & 0xff) == 0x01;
    }

    private static boolean isZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isZeroNetwork(InetAddress address) {
        return address instanceof Inet4Address && address.getAddress()[0] == 0;
    }

    private static boolean isPrivate(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 10 || (first == 172 && second >= 16 && second <= 31) || (first == 192 && second == 168)
                    || (first == 100 && second >= 64 && second <= 127)
                    // 198.18/15: benchmarking networks, used inside some clouds
                    || (first == 198 && (second == 18 || second == 19));
        }
        // fc00::/7 unique local, and the deprecated site-local fec0::/10
        return address instanceof Inet6Address && ((b[0] & 0xfe) == 0xfc || address.isSiteLocalAddress());
    }
}
