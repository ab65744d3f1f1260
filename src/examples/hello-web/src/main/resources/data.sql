-- The fixture every generation starts with: 25 authors, 12 tags, 400 notes (run after Hibernate made the schema).
INSERT INTO author (id, name, email)
  SELECT x, 'Author ' || x, 'author' || x || '@example.org' FROM SYSTEM_RANGE(1, 25);
INSERT INTO tag (id, label)
  SELECT x, 'tag-' || CHAR(96 + x) FROM SYSTEM_RANGE(1, 12);
INSERT INTO note (id, text, author_id, created_at)
  SELECT x, 'fixture note ' || x, MOD(x, 25) + 1, TIMESTAMP '2026-01-01 00:00:00' + x * INTERVAL '1' MINUTE FROM SYSTEM_RANGE(1, 400);
INSERT INTO note_tags (note_id, tags_id)
  SELECT x, MOD(x, 12) + 1 FROM SYSTEM_RANGE(1, 400);
-- new rows (a test's POST) get ids above the fixture's
ALTER SEQUENCE author_seq RESTART WITH 1001;
ALTER SEQUENCE tag_seq RESTART WITH 1001;
ALTER SEQUENCE note_seq RESTART WITH 1001;
