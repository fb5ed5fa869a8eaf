-- What an onboarding needs to be finished by any instance when the process running it stopped: the whole request,
-- its secrets included (e.g. the GHTK password), encrypted like result_json. Kept only while the onboarding is
-- PENDING: erased (NULL) by the write that stores its final result.
ALTER TABLE onboarding ADD COLUMN pending_request TEXT;
-- the sweep looks for onboardings still PENDING, oldest change first
CREATE INDEX onboarding_status_updated ON onboarding (status, updated_at);
