-- Each test writes its database's own name here, and checks later that
-- nobody else's name arrived: two processes never share a database.
CREATE TABLE notes (owner text NOT NULL);
