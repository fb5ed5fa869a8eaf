-- Every onboarding belongs to whoever created it: the REST API client (its name; "default" for hub.api.keys), or
-- the channel ("jms", "file:<file name>"). A client reads only its own onboardings, and its requestIds are its own.
ALTER TABLE onboarding ADD COLUMN client_name VARCHAR(200);
UPDATE onboarding SET client_name = COALESCE((SELECT 'file:' || b.file_name FROM batch b
        WHERE onboarding.request_id LIKE 'batch-' || b.batch_id || '-%'), 'file')
    WHERE request_id LIKE 'batch-%';
UPDATE onboarding SET client_name = 'default' WHERE client_name IS NULL;
ALTER TABLE onboarding ALTER COLUMN client_name SET NOT NULL;
DROP INDEX onboarding_request_id;
CREATE UNIQUE INDEX onboarding_client_request_id ON onboarding (client_name, request_id);

-- A provider's stored success is reused only for the same client, the same merchant and the same account inputs
-- (account_key: a keyed hash of the inputs the provider knows the account by, e.g. the GHTK email and password).
-- Successes stored before cannot be matched to their inputs (the GHTK password was never stored): they are not
-- reused; the provider is asked again.
DROP TABLE provider_success;
CREATE TABLE provider_success (
    client_name   VARCHAR(200) NOT NULL,
    external_id   VARCHAR(500) NOT NULL,
    provider      VARCHAR(50)  NOT NULL,
    account_key   VARCHAR(64)  NOT NULL,
    onboarding_id VARCHAR(36)  NOT NULL,
    result_json   TEXT         NOT NULL,
    created_at    TIMESTAMP    NOT NULL,
    PRIMARY KEY (client_name, external_id, provider, account_key)
);

-- A provider callback's signed state is accepted once (the hash of each used state, kept past its expiry).
CREATE TABLE used_callback_state (
    state_hash VARCHAR(64) NOT NULL PRIMARY KEY,
    used_at    TIMESTAMP   NOT NULL
);
