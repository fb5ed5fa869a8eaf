-- One row per onboarding: its latest normalized result and the request (without secrets) it came from.
CREATE TABLE onboarding (
    onboarding_id VARCHAR(36)  NOT NULL PRIMARY KEY,
    request_id    VARCHAR(500),
    external_id   VARCHAR(500) NOT NULL,
    status        VARCHAR(20)  NOT NULL,
    result_json   TEXT         NOT NULL,
    request_json  TEXT         NOT NULL,
    created_at    TIMESTAMP    NOT NULL,
    updated_at    TIMESTAMP    NOT NULL
);
CREATE INDEX onboarding_request_id ON onboarding (request_id);
CREATE INDEX onboarding_external_id ON onboarding (external_id);
