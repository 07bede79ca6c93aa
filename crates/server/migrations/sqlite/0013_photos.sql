-- Issue 17: photos, named by the SHA-256 of their bytes (hoptac_core::photo). The bytes
-- live in the photo store (a directory, or an S3-compatible bucket: crate::photos), the
-- facts here. A photo is stored once whoever sends it and however often.
CREATE TABLE photos (
    hash        TEXT PRIMARY KEY,
    mime        TEXT NOT NULL,
    bytes       INTEGER NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at INTEGER NOT NULL
);

-- An upload sent in pieces, per user (two officers sending the same photo do not mix
-- their pieces): the bytes received so far are pieces in the store, under
-- staging/{hash}/{user}/.
CREATE TABLE photo_uploads (
    hash        TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    total       INTEGER NOT NULL,
    received    INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (hash, user_id)
);

-- Who sent each photo's bytes (checked against its hash): who holds the photo.
CREATE TABLE photo_uploaders (
    hash        TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    PRIMARY KEY (hash, user_id)
);

-- Which records name which photo (a report's photos, a cooperative's main photo), and who
-- named it there: who may see a photo is who may see a record that names it, by someone
-- who sent its bytes (naming a hash learnt elsewhere opens nothing).
CREATE TABLE photo_links (
    hash        TEXT NOT NULL,
    entity      TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    linked_by   TEXT NOT NULL,
    PRIMARY KEY (hash, entity, record_id)
);
CREATE INDEX photo_links_record ON photo_links(entity, record_id);
