-- Issue 15, part 5: the lists the review counts by (programmes, difficulties, kinds of
-- support) are data. Built-in items (hoptac_core::reference::built_in) are inserted at
-- start-up, with their sync_log rows, by storage::reference::ensure_built_ins; items an
-- administrator adds belong to an area (area_path; '' for the national built-ins). Items
-- are never deleted: retired_at set means no longer offered for new reports.
CREATE TABLE reference_items (
    list        TEXT NOT NULL,
    key         TEXT NOT NULL,
    label_vi    TEXT NOT NULL,
    label_en    TEXT NOT NULL,
    position    INTEGER NOT NULL,
    retired_at  INTEGER,
    area_path   TEXT NOT NULL DEFAULT '',
    updated_by  TEXT,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (list, key)
);
