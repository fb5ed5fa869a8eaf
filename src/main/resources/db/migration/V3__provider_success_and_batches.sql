-- A provider that already SUCCEEDED for a merchant (externalId) is not called again: its result (credentials
-- encrypted, like result_json) is reused by later onboardings of the same merchant.
CREATE TABLE provider_success (
    external_id   VARCHAR(500) NOT NULL,
    provider      VARCHAR(50)  NOT NULL,
    onboarding_id VARCHAR(36)  NOT NULL,
    result_json   TEXT         NOT NULL,
    created_at    TIMESTAMP    NOT NULL,
    PRIMARY KEY (external_id, provider)
);

-- Dropped files: progress for GET /api/v1/batches, and the identity that lets a batch interrupted by a crash
-- resume (same file name and content) with the same record requestIds.
CREATE TABLE batch (
    batch_id       VARCHAR(36)  NOT NULL PRIMARY KEY,
    file_name      VARCHAR(500) NOT NULL,
    content_sha256 VARCHAR(64)  NOT NULL,
    status         VARCHAR(20)  NOT NULL,
    total          BIGINT,
    processed      BIGINT       NOT NULL,
    started_at     TIMESTAMP    NOT NULL,
    finished_at    TIMESTAMP
);
CREATE INDEX batch_file ON batch (file_name, content_sha256, status);
CREATE INDEX batch_started ON batch (started_at);
