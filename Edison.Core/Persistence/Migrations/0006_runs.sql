-- The budget guard sums an experiment's spend before provider calls (at most twice a second per worker).
CREATE INDEX IF NOT EXISTS llm_calls_experiment_cost ON llm_calls (experiment_id) INCLUDE (cost_usd) WHERE experiment_id IS NOT NULL;
