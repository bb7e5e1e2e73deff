-- doorlockd schema, version 2: emergency codes (docs/emergency-codes.md).
-- Secrets are never here: each issuer's lives in emergency/<id>.key.

-- Who may compute codes.  id 0 is the gateway itself; AUTOINCREMENT: an id
-- is never reused, so a new issuer can never match an old issuer's codes.
CREATE TABLE emergency_issuers (
    id      INTEGER PRIMARY KEY AUTOINCREMENT CHECK (id >= 0 AND id <= 4294967295),
    name    TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL
);

-- (issuer, window, slot) already used: each code opens once.  Kept until
-- the code could no longer be accepted anyway.
CREATE TABLE emergency_used (
    issuer  INTEGER NOT NULL,
    win     INTEGER NOT NULL CHECK (win >= 0),
    slot    INTEGER NOT NULL CHECK (slot BETWEEN 0 AND 15),
    used_at INTEGER NOT NULL,
    PRIMARY KEY (issuer, win, slot)
) WITHOUT ROWID;

-- How many codes the gateway generated for an issuer in a window (quota 16).
CREATE TABLE emergency_generated (
    issuer INTEGER NOT NULL,
    win    INTEGER NOT NULL CHECK (win >= 0),
    count  INTEGER NOT NULL CHECK (count BETWEEN 0 AND 16),
    PRIMARY KEY (issuer, win)
) WITHOUT ROWID;
