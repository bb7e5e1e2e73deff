-- doorlockd schema, version 3: the network's own wrong-code counter
-- (docs/code-store.md, Lockout).  PINs submitted over the network
-- (SubmitPin, source mqtt) count here, the keypad's in failures,
-- last_failure and lockout_until, under the same policy: a flood from the
-- network cannot lock residents out at the keypad.  In the state row, so
-- a decision still writes one page there.
ALTER TABLE state ADD COLUMN net_failures INTEGER NOT NULL DEFAULT 0 CHECK (net_failures >= 0);
ALTER TABLE state ADD COLUMN net_last_failure INTEGER NOT NULL DEFAULT 0;
ALTER TABLE state ADD COLUMN net_lockout_until INTEGER NOT NULL DEFAULT 0;
