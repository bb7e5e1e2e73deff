-- doorlockd schema, version 1.
-- Times are microseconds since the Unix epoch (UTC); NULL means "none".
-- PINs are never stored: pin_mac is HMAC-SHA256(pin.key, PIN).

-- Small key/value facts about the database itself (key fingerprints).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
) WITHOUT ROWID;

-- Exactly one row of state that changes on every decision.  Keeping it in
-- one row means an unlock writes one page here, whatever it changes.
CREATE TABLE state (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    clock_mark        INTEGER NOT NULL,           -- high-water mark of time seen
    clock_untrusted   INTEGER NOT NULL CHECK (clock_untrusted IN (0, 1)),
    failures          INTEGER NOT NULL CHECK (failures >= 0),
    last_failure      INTEGER NOT NULL,
    lockout_until     INTEGER NOT NULL,
    audit_head_seq    INTEGER NOT NULL,           -- newest audit entry
    audit_head_mac    BLOB NOT NULL CHECK (length(audit_head_mac) = 32),
    audit_head_tag    BLOB NOT NULL CHECK (length(audit_head_tag) = 32),
    audit_anchor_seq  INTEGER NOT NULL,           -- oldest kept audit entry
    audit_anchor_prev BLOB NOT NULL CHECK (length(audit_anchor_prev) = 32),
    audit_anchor_tag  BLOB NOT NULL CHECK (length(audit_anchor_tag) = 32)
);

-- Normal and one-time codes.  AUTOINCREMENT: an id is never reused, so the
-- audit log never points at the wrong code.
CREATE TABLE codes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('normal', 'one-time')),
    pin_mac     BLOB NOT NULL UNIQUE CHECK (length(pin_mac) = 32),
    enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    duress      INTEGER NOT NULL CHECK (duress IN (0, 1)),
    created     INTEGER NOT NULL,
    valid_from  INTEGER,
    valid_until INTEGER,
    use_limit   INTEGER CHECK (use_limit IS NULL OR use_limit >= 1),
    use_count   INTEGER NOT NULL DEFAULT 0 CHECK (use_count >= 0),
    last_used   INTEGER,
    CHECK (kind <> 'one-time' OR use_limit = 1),
    CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_from < valid_until)
);

-- Weekly windows of a code, in the gateway's local time.
-- days: bit 0 Monday .. bit 6 Sunday.  end_minute is exclusive; an end
-- before the start runs over midnight into the next day.
CREATE TABLE code_windows (
    code_id      INTEGER NOT NULL REFERENCES codes (id) ON DELETE CASCADE,
    idx          INTEGER NOT NULL CHECK (idx >= 0),
    days         INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127),
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute   INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    CHECK (start_minute <> end_minute),
    PRIMARY KEY (code_id, idx)
) WITHOUT ROWID;

-- Tamper-evident audit log.  seq has no gaps; mac chains each entry to the
-- previous one under audit.key.  No secondary index: an append writes the
-- rightmost leaf only.
CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    time      INTEGER NOT NULL,
    event     TEXT NOT NULL,
    source    TEXT NOT NULL,
    code_id   INTEGER,
    code_name TEXT,
    details   TEXT NOT NULL,
    mac       BLOB NOT NULL CHECK (length(mac) = 32)
);
