-- The batch whose record an onboarding is (file drop; NULL for REST and bus onboardings), stored when the record's
-- onboarding is claimed: GET /api/v1/batches/{batchId} counts a batch's onboardings by it, whatever their requestIds,
-- a resumed batch's included. Onboardings stored before are tied by the requestId the batch gave them.
ALTER TABLE onboarding ADD COLUMN batch_id VARCHAR(36);
UPDATE onboarding SET batch_id = (SELECT b.batch_id FROM batch b
        WHERE onboarding.request_id LIKE 'batch-' || b.batch_id || '-%' AND onboarding.client_name = 'file:' || b.file_name)
    WHERE request_id LIKE 'batch-%' AND client_name LIKE 'file:%';
CREATE INDEX onboarding_batch ON onboarding (batch_id, status);
