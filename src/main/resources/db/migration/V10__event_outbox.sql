-- The webhook outbox becomes every channel's: a later change of a bus-made onboarding is queued for the bus client's
-- result queue, and one of a batch record for <outbox>/<name>.updates.ndjson, the same way as webhook events.
-- channel: webhook, bus or file; destination: the bus request's correlation id, or the batch id; reply_to: the durable
-- queue the bus request named as its reply-to (NULL: the client's result queue); traceparent: the W3C trace context
-- the change was made in, continued by its delivery (NULL when tracing is off).
ALTER TABLE webhook_delivery RENAME TO event_outbox;
ALTER TABLE event_outbox ADD COLUMN channel VARCHAR(16) DEFAULT 'webhook' NOT NULL;
ALTER TABLE event_outbox ADD COLUMN destination VARCHAR(4000);
ALTER TABLE event_outbox ADD COLUMN reply_to VARCHAR(1000);
ALTER TABLE event_outbox ADD COLUMN traceparent VARCHAR(64);
CREATE INDEX event_outbox_channel ON event_outbox (channel, onboarding_id, seq);
-- Where an onboarding's later changes go besides webhooks: a bus request's correlation id (set for bus-made
-- onboardings only) and durable reply-to queue, the line of a batch record (with batch_id).
ALTER TABLE onboarding ADD COLUMN bus_correlation_id VARCHAR(4000);
ALTER TABLE onboarding ADD COLUMN bus_reply_to VARCHAR(1000);
ALTER TABLE onboarding ADD COLUMN batch_line BIGINT;
-- A batch record's client is file:<the file's name>, and a name may have 200 bytes: room for the prefix.
ALTER TABLE onboarding ALTER COLUMN client_name SET DATA TYPE VARCHAR(300);
ALTER TABLE provider_success ALTER COLUMN client_name SET DATA TYPE VARCHAR(300);
ALTER TABLE event_outbox ALTER COLUMN client_name SET DATA TYPE VARCHAR(300);
