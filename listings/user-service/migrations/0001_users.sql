-- Users of the service. The email is unique: a second sign-up with the same
-- address is a conflict, not a second account.
CREATE TABLE users (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT        NOT NULL CHECK (name <> ''),
    email       TEXT        NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Emails the service owes. The row is written in the same transaction as the
-- user, so a user never exists without a record of the welcome email it is
-- owed, whatever happens to the email service afterwards.
CREATE TABLE email_outbox (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          BIGINT      NOT NULL REFERENCES users (id),
    recipient        TEXT        NOT NULL,
    template         TEXT        NOT NULL,
    -- Sent with every attempt so the email service can drop a repeat.
    idempotency_key  TEXT        NOT NULL UNIQUE,
    status           TEXT        NOT NULL DEFAULT 'pending'
                                 CHECK (status IN ('pending', 'sent', 'dead')),
    attempts         INT         NOT NULL DEFAULT 0,
    last_error       TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
