-- Version 2: emails are stored lower-case, so `Ada@Example.test` and
-- `ada@example.test` are one account. The rows version 1 wrote come first:
-- lower-case them, then make the rule hold for every row to come.
UPDATE users SET email = lower(email) WHERE email <> lower(email);

ALTER TABLE users
    ADD CONSTRAINT users_email_is_lower_case CHECK (email = lower(email));
