-- "Judging failed": an iteration whose verdicts are mostly unusable (fewer than half valid, or fewer scored cases than the
-- validation split needs) stops after judging instead of aggregating, refining or asking for review.
ALTER TABLE iterations DROP CONSTRAINT IF EXISTS iterations_status_check;
ALTER TABLE iterations ADD CONSTRAINT iterations_status_check
    CHECK (status IN ('pending', 'executing', 'judging', 'judging_failed', 'aggregating', 'refining', 'reviewing', 'completed', 'failed',
                      'cancelled'));
