-- The iteration page's results grid pages before it aggregates: the "failures" and "flagged" filters probe each row's
-- output for a failed or flagged judgment. Both are rare, so these partial indexes stay small (and cost the writers
-- nothing for the usual succeeded, unflagged judgment) while a probe reads no heap.
CREATE INDEX IF NOT EXISTS judgments_failed_output ON judgments (output_id) WHERE status = 'failed';
CREATE INDEX IF NOT EXISTS judgments_flagged_output ON judgments (output_id) WHERE cardinality(safety_flags) > 0;

-- A settled iteration's page figures (progress counts, calls per phase, the grid) cost O(iteration) to compute but change
-- only when a row behind them is written, so the web keeps them keyed by this stamp. Every write to a settled iteration's
-- outputs, judgments or calls, to its experiment's models or judges, and every status change bumps it. Writes to a
-- running iteration do not (its figures are never kept): the hot path pays one index probe per statement, takes no lock.
ALTER TABLE iterations ADD COLUMN IF NOT EXISTS change_stamp bigint NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION iterations_status_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_stamp := OLD.change_stamp + 1;
    RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER iterations_status_stamp BEFORE UPDATE OF status ON iterations
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION iterations_status_stamp();

CREATE OR REPLACE FUNCTION settled_stamp_from_outputs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE iterations i SET change_stamp = i.change_stamp + 1
    WHERE i.status IN ('completed', 'failed', 'cancelled')
      AND i.id IN (SELECT mr.iteration_id FROM changed c JOIN model_runs mr ON mr.id = c.model_run_id);
    RETURN NULL;
END $$;

-- A pairwise judgment made by a later iteration can name this iteration's output, and the grid counts it there too.
CREATE OR REPLACE FUNCTION settled_stamp_from_judgments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE iterations i SET change_stamp = i.change_stamp + 1
    WHERE i.status IN ('completed', 'failed', 'cancelled')
      AND i.id IN (SELECT c.iteration_id FROM changed c
                   UNION
                   SELECT mr.iteration_id FROM changed c JOIN outputs o ON o.id = c.output_id JOIN model_runs mr ON mr.id = o.model_run_id
                   WHERE c.mode = 'pairwise');
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION settled_stamp_from_calls() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE iterations i SET change_stamp = i.change_stamp + 1
    WHERE i.status IN ('completed', 'failed', 'cancelled') AND i.id IN (SELECT c.iteration_id FROM changed c);
    RETURN NULL;
END $$;

-- Models and judges belong to the experiment and every iteration reads them (samples per case, enabled judges, names).
CREATE OR REPLACE FUNCTION settled_stamp_from_configs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE iterations i SET change_stamp = i.change_stamp + 1
    WHERE i.status IN ('completed', 'failed', 'cancelled') AND i.experiment_id IN (SELECT c.experiment_id FROM changed c);
    RETURN NULL;
END $$;

-- A trigger with a transition table handles one event, so each table gets one per event.
CREATE OR REPLACE TRIGGER outputs_settled_insert AFTER INSERT ON outputs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION settled_stamp_from_outputs();
CREATE OR REPLACE TRIGGER outputs_settled_update AFTER UPDATE ON outputs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION settled_stamp_from_outputs();
CREATE OR REPLACE TRIGGER outputs_settled_delete AFTER DELETE ON outputs REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION settled_stamp_from_outputs();

CREATE OR REPLACE TRIGGER judgments_settled_insert AFTER INSERT ON judgments REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION settled_stamp_from_judgments();
CREATE OR REPLACE TRIGGER judgments_settled_update AFTER UPDATE ON judgments REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION settled_stamp_from_judgments();
CREATE OR REPLACE TRIGGER judgments_settled_delete AFTER DELETE ON judgments REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION settled_stamp_from_judgments();

CREATE OR REPLACE TRIGGER llm_calls_settled_insert AFTER INSERT ON llm_calls REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION settled_stamp_from_calls();
CREATE OR REPLACE TRIGGER llm_calls_settled_update AFTER UPDATE ON llm_calls REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION settled_stamp_from_calls();
CREATE OR REPLACE TRIGGER llm_calls_settled_delete AFTER DELETE ON llm_calls REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION settled_stamp_from_calls();

CREATE OR REPLACE TRIGGER model_configs_settled_insert AFTER INSERT ON model_configs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION settled_stamp_from_configs();
CREATE OR REPLACE TRIGGER model_configs_settled_update AFTER UPDATE ON model_configs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION settled_stamp_from_configs();
CREATE OR REPLACE TRIGGER model_configs_settled_delete AFTER DELETE ON model_configs REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION settled_stamp_from_configs();

CREATE OR REPLACE TRIGGER judge_configs_settled_insert AFTER INSERT ON judge_configs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION settled_stamp_from_configs();
CREATE OR REPLACE TRIGGER judge_configs_settled_update AFTER UPDATE ON judge_configs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION settled_stamp_from_configs();
CREATE OR REPLACE TRIGGER judge_configs_settled_delete AFTER DELETE ON judge_configs REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION settled_stamp_from_configs();
