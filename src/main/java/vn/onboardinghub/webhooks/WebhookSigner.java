package vn.onboardinghub.webhooks;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Standard Webhooks signatures: {@code v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">} under
 * each key of the client's {@code webhook-secret} (comma-separated {@code whsec_<base64>}: the key is the decoded
 * part after {@code whsec_}), space-separated, so a receiver that knows any one of them accepts the message while
 * secrets are rotated.
 */
public final class WebhookSigner {
    /** The prefix of a Standard Webhooks secret. */
    public static final String PREFIX = "whsec_";

    private final List<byte[]> keys;

    private WebhookSigner(List<byte[]> keys) {
        this.keys = keys;
    }

    /**
     * The keys of a {@code webhook-secret} setting.
     *
     * @throws IllegalArgumentException when an item is not {@code whsec_} + base64 of at least one byte (the message
     *                                  says which item, never its value)
     */
    public static WebhookSigner of(String secrets) {
        List<String> items = secrets == null ? List.of() : Arrays.stream(secrets.split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).toList();
        if (items.isEmpty()) {
            throw new IllegalArgumentException("is not set");
        }
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            byte[] key = null;
            if (items.get(i).startsWith(PREFIX)) {
                try {
                    key = Base64.getDecoder().decode(items.get(i).substring(PREFIX.length()));
                } catch (IllegalArgumentException notBase64) {
                    key = null;
                }
            }
            if (key == null || key.length == 0) {
                throw new IllegalArgumentException("secret " + (i + 1) + " of " + items.size() + " must be whsec_ followed by"
                        + " base64 (e.g. whsec_$(openssl rand -base64 32))");
            }
            keys.add(key);
        }
        return new WebhookSigner(List.copyOf(keys));
    }

    /** The {@code webhook-signature} header: one {@code v1,<signature>} per key, space-separated. */
    public String sign(String id, long timestampSeconds, String body) {
        byte[] content = (id + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8);
        List<String> signatures = new ArrayList<>();
        for (byte[] key : keys) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                signatures.add("v1," + Base64.getEncoder().encodeToString(mac.doFinal(content)));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.join(" ", signatures);
    }
}
