package vn.onboardinghub.model;

/** One reason a request was refused, with the JSON path of the offending field. */
public record Violation(String field, String message) {
}
