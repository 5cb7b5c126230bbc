-- What the email worker needs to share the outbox safely (chapter "Jobs,
-- queues and workers"). Existing rows keep working: NULL means "nobody holds
-- it" and "due now".
ALTER TABLE email_outbox
    -- The lease: whoever claimed the job holds it until then, and renews it
    -- while working. Once it has passed, the holder is presumed dead and any
    -- worker may take the job again.
    ADD COLUMN locked_until TIMESTAMPTZ,
    -- Who holds (or last held) the job, for the person reading the table.
    ADD COLUMN locked_by    TEXT,
    -- Back-off: after a failed attempt the job is not due again before then.
    ADD COLUMN run_after    TIMESTAMPTZ;

-- The worker's one question, "which pending job is oldest?", reads only this
-- small index: sent and dead rows, however many, are not in it.
CREATE INDEX email_outbox_pending ON email_outbox (id) WHERE status = 'pending';
