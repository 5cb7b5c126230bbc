-- Broken on purpose: the harness must name this migration in its error.
CREATE TABLE audit (at timestamptz NOT NULL DEFAULT nowww());
