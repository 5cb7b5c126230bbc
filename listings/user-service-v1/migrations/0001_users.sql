-- The first version's only table. The email is unique: a second sign-up with
-- the same address is a conflict, not a second account.
CREATE TABLE users (
    id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name   TEXT NOT NULL CHECK (name <> ''),
    email  TEXT NOT NULL UNIQUE
);
