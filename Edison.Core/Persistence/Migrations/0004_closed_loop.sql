-- The closed loop: deterministic checks on outputs, pairwise verdicts, the jury's per-output result, refinement steps,
-- the paired comparison with the parent, the recommended version and why a loop stopped.

ALTER TABLE experiments
    ADD COLUMN checks                 jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN jury_aggregation       text  NOT NULL DEFAULT 'mean' CHECK (jury_aggregation IN ('mean', 'median', 'trimmed_mean')),
    ADD COLUMN recommended_version_id uuid REFERENCES prompt_versions (id) ON DELETE SET NULL,
    ADD COLUMN stop_reason            text,
    ADD COLUMN stop_details           jsonb;

ALTER TABLE outputs
    ADD COLUMN checks     jsonb   NOT NULL DEFAULT '[]',
    ADD COLUMN pii_flags  text[]  NOT NULL DEFAULT '{}',
    ADD COLUMN truncated  boolean NOT NULL DEFAULT false,
    ADD COLUMN tool_calls jsonb,
    ADD COLUMN parsed_json jsonb;

-- A pairwise verdict is stored once per order shown: output_id is the answer shown first, other_output_id the second.
-- A judgment belongs to the iteration that asked for it: a pair with the parent's output is judged in the child's iteration.
ALTER TABLE judgments
    ADD COLUMN other_output_id uuid REFERENCES outputs (id) ON DELETE CASCADE,
    ADD COLUMN iteration_id    uuid REFERENCES iterations (id) ON DELETE CASCADE;
UPDATE judgments j SET iteration_id = mr.iteration_id
FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id
WHERE o.id = j.output_id AND j.iteration_id IS NULL;
ALTER TABLE judgments ALTER COLUMN iteration_id SET NOT NULL;
CREATE INDEX judgments_iteration ON judgments (iteration_id);
CREATE INDEX judgments_other_output ON judgments (other_output_id) WHERE other_output_id IS NOT NULL;

-- The iteration whose results a paired comparison is made against (same dataset version, parent prompt version).
ALTER TABLE iterations
    ADD COLUMN parent_iteration_id uuid REFERENCES iterations (id) ON DELETE SET NULL,
    ADD COLUMN comparison          jsonb,
    ADD COLUMN stop_details        jsonb;

ALTER TABLE suggestions
    ADD COLUMN attempt              integer NOT NULL DEFAULT 1,
    ADD COLUMN proposed_system_text text    NOT NULL DEFAULT '',
    ADD COLUMN proposed_few_shots   jsonb   NOT NULL DEFAULT '[]',
    ADD COLUMN steps                jsonb   NOT NULL DEFAULT '[]',
    ADD COLUMN error                text,
    ADD COLUMN decided_by           uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN decided_at           timestamptz,
    ADD COLUMN auto_applied         boolean NOT NULL DEFAULT false,
    ALTER COLUMN proposed_template DROP NOT NULL,
    ALTER COLUMN unified_diff SET DEFAULT '';
ALTER TABLE suggestions DROP CONSTRAINT suggestions_status_check;
ALTER TABLE suggestions ADD CONSTRAINT suggestions_status_check
    CHECK (status IN ('pending', 'approved', 'rejected', 'changes_requested', 'superseded', 'failed'));
-- One refinement per attempt: a re-run job finds its suggestion instead of writing a second one.
CREATE UNIQUE INDEX suggestions_iteration_attempt ON suggestions (iteration_id, attempt);

ALTER TABLE prompt_versions ADD COLUMN suggestion_id uuid REFERENCES suggestions (id) ON DELETE SET NULL;
