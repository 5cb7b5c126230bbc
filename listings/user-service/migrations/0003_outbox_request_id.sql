-- The x-request-id of the sign-up that left the job (chapter "Jobs, queues
-- and workers"). The worker sends it on the email call, so one id finds the
-- request, the job and the email in everyone's logs. NULL for a job made
-- outside a request, and for rows older than this column.
ALTER TABLE email_outbox ADD COLUMN request_id TEXT;
