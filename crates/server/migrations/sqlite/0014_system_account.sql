-- Issue 17: the server's own account, the actor of what the server does by itself (a
-- report whose photos never arrived is returned to its officer after the grace period:
-- hoptac_core::photo::GRACE_MS). It cannot sign in (no password hash verifies against
-- '!', and it is inactive), is never listed, and no administrator can change it; its user
-- name has a '#', which no person's may (hoptac_core::accounts::check_username).
INSERT INTO users (id, username, password_hash, display_name, role, created_at, active)
VALUES ('system', '#he-thong', '!', 'Hệ thống hoptac', 'officer', 0, 0);
