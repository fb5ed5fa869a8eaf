-- Provider rate limits shared by every hub instance of this database (PostgreSQL): one Bucket4j token bucket per
-- provider and limit, its state serialized by Bucket4j (column names are Bucket4j's defaults). Unused on H2.
CREATE TABLE provider_rate_limit (
    id         VARCHAR(100) NOT NULL PRIMARY KEY,
    state      BYTEA,
    expires_at BIGINT
);
