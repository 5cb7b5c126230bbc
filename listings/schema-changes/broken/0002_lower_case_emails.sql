-- BROKEN ON PURPOSE: version 2 as first written. It adds the rule and
-- forgets the rows version 1 wrote: on an empty table it passes, on a table
-- with one `Ada@Example.test` in it, PostgreSQL refuses the constraint.
ALTER TABLE users
    ADD CONSTRAINT users_email_is_lower_case CHECK (email = lower(email));
