package vn.onboardinghub.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** Why a whole request was refused before any provider was called: the REST 400 body's and a batch line's {@code error}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RequestError(String code, String message, List<Violation> violations) {
}
