package vn.onboardinghub.model;

import vn.onboardinghub.model.RequestError;

import java.util.List;

/** The request cannot be onboarded as sent; nothing was sent to any provider. */
public class InvalidRequestException extends RuntimeException {
    private final transient List<Violation> violations;

    public InvalidRequestException(List<Violation> violations) {
        super(violations.size() == 1 ? "Invalid request: " + violations.get(0).field() + " " + violations.get(0).message()
                : "Invalid request: " + violations.size() + " problems");
        this.violations = List.copyOf(violations);
    }

    public RequestError error() {
        return new RequestError("INVALID_REQUEST", getMessage(), violations);
    }

    public List<Violation> violations() {
        return violations;
    }
}
