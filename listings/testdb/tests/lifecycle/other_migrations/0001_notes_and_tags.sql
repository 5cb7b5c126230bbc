-- Another set of migrations (another hash): another team's schema on the
-- same server. It has `notes` too, so the same child test can use it.
CREATE TABLE notes (owner text NOT NULL);
CREATE TABLE tags (name text NOT NULL);
