-- Issue 13: the server's identity (epoch), stated on every response. A restore from a
-- backup gives the database a new one (`hoptac-server restore`), so tablets notice that
-- the server went back in time: they pull from the start and re-send what it lacks.
CREATE TABLE server_identity (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    epoch TEXT NOT NULL
);
INSERT INTO server_identity (id, epoch) VALUES (1, lower(hex(randomblob(16))));
