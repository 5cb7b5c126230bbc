-- These tests are about where the server comes from, not about a schema.
SELECT 1;
