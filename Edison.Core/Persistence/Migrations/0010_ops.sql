-- CI checks: a named prompt version run on the experiment's cases, passed or failed against a threshold.
CREATE TABLE ci_checks (
    id                      uuid PRIMARY KEY,
    experiment_id           uuid             NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
    iteration_id            uuid             NOT NULL REFERENCES iterations (id) ON DELETE CASCADE,
    prompt_version_id       uuid             NOT NULL REFERENCES prompt_versions (id) ON DELETE CASCADE,
    production_version_id   uuid REFERENCES prompt_versions (id) ON DELETE SET NULL,
    threshold               double precision NOT NULL,
    created_at              timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX ci_checks_experiment ON ci_checks (experiment_id, created_at DESC);
