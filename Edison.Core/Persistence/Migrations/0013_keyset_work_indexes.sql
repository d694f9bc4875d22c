-- Chunk jobs read their work by case position: (dataset version, position) ranges instead of scanning the whole version
-- (the primary key is by case id), so a chunk's work list costs O(chunk), not O(dataset).
CREATE INDEX IF NOT EXISTS dataset_version_cases_position ON dataset_version_cases (dataset_version_id, position) INCLUDE (case_id, case_version);

-- Progress counts an iteration's judgments per judge without touching the rows themselves.
CREATE INDEX IF NOT EXISTS judgments_iteration_judge ON judgments (iteration_id, judge_config_id, mode);

-- Cost so far (progress events, budget guard) sums the iteration's calls from the index alone.
CREATE INDEX IF NOT EXISTS llm_calls_iteration_cost ON llm_calls (iteration_id) INCLUDE (cost_usd) WHERE iteration_id IS NOT NULL;
