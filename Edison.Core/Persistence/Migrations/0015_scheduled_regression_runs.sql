-- Scheduled regression runs: a cron schedule per experiment that re-runs the production prompt on the current cases, the
-- runs it started, the alerts raised when a run is significantly worse than the previous production run, and webhook attempts.
CREATE TABLE regression_schedules (
    experiment_id            uuid PRIMARY KEY REFERENCES experiments (id) ON DELETE CASCADE,
    cron                     text        NOT NULL,
    description              text        NOT NULL,
    webhook_url              text,
    webhook_secret_protected text,
    updated_by               uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_at               timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE regression_runs (
    id                    uuid PRIMARY KEY,
    experiment_id         uuid        NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
    check_id              uuid REFERENCES ci_checks (id) ON DELETE CASCADE,
    iteration_id          uuid REFERENCES iterations (id) ON DELETE CASCADE,
    baseline_iteration_id uuid REFERENCES iterations (id) ON DELETE SET NULL,
    prompt_version        int,
    experiment_status     text        NOT NULL,
    outcome               text        NOT NULL DEFAULT 'running'
                                      CHECK (outcome IN ('running', 'passed', 'regressed', 'no_baseline', 'not_started')),
    detail                text,
    started_at            timestamptz NOT NULL DEFAULT now(),
    finished_at           timestamptz
);
CREATE INDEX regression_runs_experiment ON regression_runs (experiment_id, started_at DESC);
CREATE UNIQUE INDEX regression_runs_iteration ON regression_runs (iteration_id);

CREATE TABLE regression_alerts (
    id                    uuid PRIMARY KEY,
    experiment_id         uuid             NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
    regression_run_id     uuid             NOT NULL UNIQUE REFERENCES regression_runs (id) ON DELETE CASCADE,
    iteration_id          uuid             NOT NULL REFERENCES iterations (id) ON DELETE CASCADE,
    baseline_iteration_id uuid REFERENCES iterations (id) ON DELETE SET NULL,
    prompt_version        int              NOT NULL,
    cases                 int              NOT NULL,
    mean_difference       double precision NOT NULL,
    ci_low                double precision NOT NULL,
    ci_high               double precision NOT NULL,
    p_value               double precision NOT NULL,
    message               text             NOT NULL,
    webhook_status        text             NOT NULL DEFAULT 'none' CHECK (webhook_status IN ('none', 'pending', 'delivered', 'failed')),
    created_at            timestamptz      NOT NULL DEFAULT now(),
    acknowledged_at       timestamptz,
    acknowledged_by       uuid REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX regression_alerts_open ON regression_alerts (experiment_id, created_at DESC) WHERE acknowledged_at IS NULL;

CREATE TABLE webhook_deliveries (
    id          uuid PRIMARY KEY,
    alert_id    uuid        NOT NULL REFERENCES regression_alerts (id) ON DELETE CASCADE,
    attempt     int         NOT NULL,
    url         text        NOT NULL,
    status_code int,
    error       text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_alert ON webhook_deliveries (alert_id, attempt);

-- A scheduled run asks the providers again instead of replaying cached answers (model drift is what it exists to catch), and
-- is compared with its previous run on every case of the golden set, not only the validation split the loop decides on.
ALTER TABLE iterations ADD COLUMN scheduled_run boolean NOT NULL DEFAULT false;
