package vn.onboardinghub.webhooks;

/** The calling client has no webhook event by this id (another client's is answered the same way): 404. */
public class WebhookEventNotFoundException extends RuntimeException {
    public WebhookEventNotFoundException(String eventId) {
        super("no webhook event " + eventId);
    }
}
