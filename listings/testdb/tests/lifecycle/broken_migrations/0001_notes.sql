CREATE TABLE notes (owner text NOT NULL);
