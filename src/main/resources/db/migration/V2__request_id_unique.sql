-- Idempotency: one onboarding per client requestId, across restarts and across instances sharing the database.
DROP INDEX onboarding_request_id;
CREATE UNIQUE INDEX onboarding_request_id ON onboarding (request_id);
