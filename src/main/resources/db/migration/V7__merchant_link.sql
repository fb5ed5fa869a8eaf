-- Merchant links (<hub.public-base-url>/m/<token>): the page where a merchant does their part of one onboarding.
-- link_id is the token's random part (the token adds an HMAC of it); a new link for an onboarding revokes the
-- earlier ones, and a caller can revoke them all.
CREATE TABLE merchant_link (
    link_id       VARCHAR(64)  NOT NULL PRIMARY KEY,
    onboarding_id VARCHAR(36)  NOT NULL,
    created_at    TIMESTAMP    NOT NULL,
    expires_at    TIMESTAMP    NOT NULL,
    revoked_at    TIMESTAMP
);
CREATE INDEX merchant_link_onboarding ON merchant_link (onboarding_id);

-- Some provider of the onboarding waits for the merchant (ACTION_REQUIRED): counted per batch without decrypting results.
ALTER TABLE onboarding ADD COLUMN waits_for_merchant BOOLEAN DEFAULT FALSE NOT NULL;
