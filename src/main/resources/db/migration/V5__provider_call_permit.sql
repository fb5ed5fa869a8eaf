-- Provider rate limits shared by every hub instance of this database (PostgreSQL; unused on H2):
-- hub.providers.<p>.rate-limit = N permits per provider (slots 0..N-1). A call takes a free permit (busy_until in
-- the past), which stays busy until one second after the call ended; busy_until is the database's clock.
CREATE TABLE provider_call_permit (
    provider   VARCHAR(50)              NOT NULL,
    slot       INT                      NOT NULL,
    busy_until TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (provider, slot)
);
