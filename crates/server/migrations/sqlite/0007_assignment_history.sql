-- Issue 14: the history of who covered which area, from when until when (Unix ms), so the
-- server can tell work written while an officer held an area from work for an area they
-- never held (issue 13), and an audit of every change (audit_log, entity "user_areas").
-- An open row (until_ms NULL) is a current assignment.
CREATE TABLE assignment_history (
    user_id    TEXT NOT NULL REFERENCES users(id),
    area_id    TEXT NOT NULL REFERENCES areas(id),
    area_path  TEXT NOT NULL,
    from_ms    INTEGER NOT NULL,
    until_ms   INTEGER,
    granted_by TEXT REFERENCES users(id),
    revoked_by TEXT REFERENCES users(id)
);
CREATE INDEX assignment_history_user ON assignment_history(user_id);
-- Assignments made before this history existed count from the start.
INSERT INTO assignment_history (user_id, area_id, area_path, from_ms)
    SELECT s.user_id, s.area_id, a.path, 0 FROM assignments s JOIN areas a ON a.id = s.area_id;
