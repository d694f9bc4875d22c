-- Issue 18, finding 8: every foreign key gets an index on its referencing columns. Deleting a referenced row (a project's
-- cascade deletes llm_calls, outputs, cases, prompt versions, …) makes PostgreSQL look up the referencing rows for each
-- deleted row — to cascade, to set NULL, or to refuse — and without an index that is one sequential scan of the
-- referencing table per deleted row (outputs.llm_call_id and judgments.llm_call_id made deleting a large project
-- quadratic). Nullable keys that are mostly NULL get partial indexes, which the lookup (`col = $1`) can use and the writers
-- barely pay for. The integration test `ForeignKeys_EveryForeignKey_HostileHasAnIndex` keeps it so for new tables.
CREATE INDEX IF NOT EXISTS api_tokens_project_id_fk ON api_tokens (project_id);
CREATE INDEX IF NOT EXISTS budgets_experiment_id_fk ON budgets (experiment_id) WHERE experiment_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS budgets_project_id_fk ON budgets (project_id);
CREATE INDEX IF NOT EXISTS ci_checks_iteration_id_fk ON ci_checks (iteration_id);
CREATE INDEX IF NOT EXISTS ci_checks_production_version_id_fk ON ci_checks (production_version_id) WHERE production_version_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS ci_checks_prompt_version_id_fk ON ci_checks (prompt_version_id);
CREATE INDEX IF NOT EXISTS dataset_version_cases_case_id_case_version_fk ON dataset_version_cases (case_id, case_version);
CREATE INDEX IF NOT EXISTS datasets_experiment_id_fk ON datasets (experiment_id) WHERE experiment_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS datasets_project_id_fk ON datasets (project_id);
CREATE INDEX IF NOT EXISTS experiment_drafts_user_id_fk ON experiment_drafts (user_id);
CREATE INDEX IF NOT EXISTS experiments_created_by_fk ON experiments (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS experiments_recommended_version_id_fk ON experiments (recommended_version_id) WHERE recommended_version_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS generation_runs_dataset_id_fk ON generation_runs (dataset_id) WHERE dataset_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS generation_runs_experiment_id_fk ON generation_runs (experiment_id) WHERE experiment_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS invitations_created_by_fk ON invitations (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS invitations_project_id_fk ON invitations (project_id);
CREATE INDEX IF NOT EXISTS invitations_used_by_fk ON invitations (used_by) WHERE used_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS iterations_created_by_fk ON iterations (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS iterations_dataset_version_id_fk ON iterations (dataset_version_id);
CREATE INDEX IF NOT EXISTS iterations_parent_iteration_id_fk ON iterations (parent_iteration_id) WHERE parent_iteration_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS iterations_prompt_version_id_fk ON iterations (prompt_version_id);
CREATE INDEX IF NOT EXISTS judge_configs_credential_id_fk ON judge_configs (credential_id) WHERE credential_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS judge_configs_experiment_id_fk ON judge_configs (experiment_id);
CREATE INDEX IF NOT EXISTS judge_configs_rater_user_id_fk ON judge_configs (rater_user_id) WHERE rater_user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS judgments_created_by_fk ON judgments (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS judgments_judge_config_id_fk ON judgments (judge_config_id);
CREATE INDEX IF NOT EXISTS judgments_llm_call_id_fk ON judgments (llm_call_id) WHERE llm_call_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS llm_calls_credential_id_fk ON llm_calls (credential_id) WHERE credential_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS model_configs_credential_id_fk ON model_configs (credential_id);
CREATE INDEX IF NOT EXISTS model_configs_experiment_id_fk ON model_configs (experiment_id);
CREATE INDEX IF NOT EXISTS model_runs_model_config_id_fk ON model_runs (model_config_id);
CREATE INDEX IF NOT EXISTS outputs_case_id_fk ON outputs (case_id);
CREATE INDEX IF NOT EXISTS outputs_llm_call_id_fk ON outputs (llm_call_id) WHERE llm_call_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS project_assist_settings_credential_id_fk ON project_assist_settings (credential_id);
CREATE INDEX IF NOT EXISTS projects_created_by_fk ON projects (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS prompt_versions_approved_by_fk ON prompt_versions (approved_by) WHERE approved_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS prompt_versions_created_by_fk ON prompt_versions (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS prompt_versions_parent_id_fk ON prompt_versions (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS prompt_versions_suggestion_id_fk ON prompt_versions (suggestion_id) WHERE suggestion_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS provider_credentials_created_by_fk ON provider_credentials (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS regression_alerts_acknowledged_by_fk ON regression_alerts (acknowledged_by) WHERE acknowledged_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS regression_alerts_baseline_iteration_id_fk ON regression_alerts (baseline_iteration_id) WHERE baseline_iteration_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS regression_alerts_experiment_id_fk ON regression_alerts (experiment_id);
CREATE INDEX IF NOT EXISTS regression_alerts_iteration_id_fk ON regression_alerts (iteration_id);
CREATE INDEX IF NOT EXISTS regression_runs_baseline_iteration_id_fk ON regression_runs (baseline_iteration_id) WHERE baseline_iteration_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS regression_runs_check_id_fk ON regression_runs (check_id) WHERE check_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS regression_schedules_updated_by_fk ON regression_schedules (updated_by) WHERE updated_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS reviews_output_id_fk ON reviews (output_id) WHERE output_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS reviews_reviewer_id_fk ON reviews (reviewer_id) WHERE reviewer_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS reviews_suggestion_id_fk ON reviews (suggestion_id) WHERE suggestion_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS suggestions_decided_by_fk ON suggestions (decided_by) WHERE decided_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS suggestions_proposed_version_id_fk ON suggestions (proposed_version_id) WHERE proposed_version_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS suggestions_source_version_id_fk ON suggestions (source_version_id);
