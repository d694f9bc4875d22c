-- Re-judge: each re-run of an iteration's failed verdicts is a new call-key generation, so a recorded failure (or a cached
-- answer) is never replayed; generation 0 keeps the keys every earlier iteration was judged under.
ALTER TABLE iterations ADD COLUMN IF NOT EXISTS judge_generation integer NOT NULL DEFAULT 0;
