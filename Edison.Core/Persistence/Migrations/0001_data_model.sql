-- Edison's whole data model. Ids are uuid v7 from the application; statuses are text with CHECK constraints
-- (Dapper sends enums as integers, and a CHECK is easier to extend than a PostgreSQL enum).

CREATE TABLE users (
    id                  uuid PRIMARY KEY,
    email               text        NOT NULL,
    normalized_email    text        NOT NULL UNIQUE,
    display_name        text        NOT NULL DEFAULT '',
    password_hash       text,
    security_stamp      text        NOT NULL,
    concurrency_stamp   text        NOT NULL,
    email_confirmed     boolean     NOT NULL DEFAULT false,
    lockout_enabled     boolean     NOT NULL DEFAULT true,
    lockout_end         timestamptz,
    access_failed_count integer     NOT NULL DEFAULT 0,
    is_instance_owner   boolean     NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE projects (
    id          uuid PRIMARY KEY,
    name        text        NOT NULL,
    description text        NOT NULL DEFAULT '',
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE project_members (
    project_id uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text        NOT NULL CHECK (role IN ('viewer', 'reviewer', 'editor', 'admin', 'owner')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, user_id)
);

CREATE TABLE invitations (
    id          uuid PRIMARY KEY,
    project_id  uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    email       text        NOT NULL,
    role        text        NOT NULL CHECK (role IN ('viewer', 'reviewer', 'editor', 'admin')),
    token_hash  text        NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    project_id   uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name         text        NOT NULL,
    token_hash   text        NOT NULL UNIQUE,
    role         text        NOT NULL CHECK (role IN ('viewer', 'reviewer', 'editor', 'admin', 'owner')),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE provider_credentials (
    id                uuid PRIMARY KEY,
    project_id        uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name              text        NOT NULL,
    provider          text        NOT NULL CHECK (provider IN ('openai', 'azure-openai', 'anthropic', 'anthropic-bedrock',
                                      'anthropic-vertex', 'gemini', 'ollama', 'openai-compatible', 'local')),
    base_url          text,
    api_key_encrypted text,
    key_last4         text        NOT NULL DEFAULT '',
    headers           jsonb       NOT NULL DEFAULT '{}',
    settings          jsonb       NOT NULL DEFAULT '{}',
    requests_per_minute integer,
    tokens_per_minute   integer,
    is_disabled       boolean     NOT NULL DEFAULT false,
    last_tested_at    timestamptz,
    last_test_error   text,
    created_by        uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    rotated_at        timestamptz,
    UNIQUE (project_id, name)
);

-- Prices per million tokens, editable; the newest effective row per (provider, model) applies.
CREATE TABLE model_prices (
    id                    uuid PRIMARY KEY,
    provider              text          NOT NULL,
    model                 text          NOT NULL,
    input_per_mtok        numeric(12,6) NOT NULL,
    output_per_mtok       numeric(12,6) NOT NULL,
    cached_input_per_mtok numeric(12,6),
    effective_from        timestamptz   NOT NULL DEFAULT now(),
    UNIQUE (provider, model, effective_from)
);

CREATE TABLE experiments (
    id              uuid PRIMARY KEY,
    project_id      uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name            text        NOT NULL,
    goal            text        NOT NULL,
    rubric          jsonb       NOT NULL,
    safety_config   jsonb       NOT NULL DEFAULT '{}',
    selector_config jsonb       NOT NULL DEFAULT '{}',
    refiner_config  jsonb       NOT NULL DEFAULT '{}',
    stop_rules      jsonb       NOT NULL DEFAULT '{}',
    review_mode     text        NOT NULL DEFAULT 'every_iteration'
                                CHECK (review_mode IN ('every_iteration', 'only_significant', 'autopilot')),
    status          text        NOT NULL DEFAULT 'draft'
                                CHECK (status IN ('draft', 'running', 'paused', 'stopped', 'archived')),
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX experiments_project ON experiments (project_id, created_at DESC);

CREATE TABLE prompt_versions (
    id              uuid PRIMARY KEY,
    experiment_id   uuid        NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
    version         integer     NOT NULL,
    parent_id       uuid REFERENCES prompt_versions (id),
    template        text        NOT NULL,
    system_text     text        NOT NULL DEFAULT '',
    few_shots       jsonb       NOT NULL DEFAULT '[]',
    tools_schema    jsonb,
    response_format jsonb,
    changelog       text        NOT NULL DEFAULT '',
    labels          text[]      NOT NULL DEFAULT '{}',
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    approved_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    approved_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (experiment_id, version)
);

CREATE TABLE model_configs (
    id               uuid PRIMARY KEY,
    experiment_id    uuid        NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
    credential_id    uuid        NOT NULL REFERENCES provider_credentials (id),
    model            text        NOT NULL,
    display_name     text        NOT NULL DEFAULT '',
    parameters       jsonb       NOT NULL DEFAULT '{}',
    seed             integer,
    samples_per_case integer     NOT NULL DEFAULT 1 CHECK (samples_per_case BETWEEN 1 AND 20),
    position         integer     NOT NULL DEFAULT 0,
    is_enabled       boolean     NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE judge_configs (
    id            uuid PRIMARY KEY,
    experiment_id uuid        NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
    kind          text        NOT NULL CHECK (kind IN ('pointwise', 'pairwise', 'human')),
    credential_id uuid REFERENCES provider_credentials (id),
    model         text,
    rater_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    system_prompt text        NOT NULL DEFAULT '',
    reasoning     boolean     NOT NULL DEFAULT true,
    weight        numeric(6,4) NOT NULL DEFAULT 1,
    position      integer     NOT NULL DEFAULT 0,
    is_enabled    boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'human' AND rater_user_id IS NOT NULL) OR (kind <> 'human' AND model IS NOT NULL AND credential_id IS NOT NULL))
);

CREATE TABLE datasets (
    id              uuid PRIMARY KEY,
    project_id      uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    experiment_id   uuid REFERENCES experiments (id) ON DELETE CASCADE,
    name            text        NOT NULL,
    kind            text        NOT NULL DEFAULT 'golden' CHECK (kind IN ('golden', 'synthetic', 'adversarial')),
    description     text        NOT NULL DEFAULT '',
    split_seed      integer     NOT NULL DEFAULT 42,
    current_version integer     NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- The current state of each case; every change also appends an immutable row to case_versions.
CREATE TABLE cases (
    id              uuid PRIMARY KEY,
    dataset_id      uuid        NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    position        integer     NOT NULL,
    version         integer     NOT NULL DEFAULT 1,
    input           jsonb       NOT NULL,
    expected_output text,
    tags            text[]      NOT NULL DEFAULT '{}',
    difficulty      text        CHECK (difficulty IN ('easy', 'medium', 'hard')),
    split           text        NOT NULL CHECK (split IN ('train', 'validation', 'test')),
    is_deleted      boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (dataset_id, position)
);

CREATE TABLE case_versions (
    case_id         uuid        NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    version         integer     NOT NULL,
    input           jsonb       NOT NULL,
    expected_output text,
    tags            text[]      NOT NULL DEFAULT '{}',
    difficulty      text,
    split           text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, version)
);

-- A frozen list of (case, version) pairs: what an iteration ran, reproducible after later edits.
CREATE TABLE dataset_versions (
    id         uuid PRIMARY KEY,
    dataset_id uuid        NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    version    integer     NOT NULL,
    note       text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (dataset_id, version)
);

CREATE TABLE dataset_version_cases (
    dataset_version_id uuid    NOT NULL REFERENCES dataset_versions (id) ON DELETE CASCADE,
    case_id            uuid    NOT NULL,
    case_version       integer NOT NULL,
    position           integer NOT NULL,
    PRIMARY KEY (dataset_version_id, case_id),
    FOREIGN KEY (case_id, case_version) REFERENCES case_versions (case_id, version) ON DELETE CASCADE
);

CREATE TABLE iterations (
    id                 uuid PRIMARY KEY,
    experiment_id      uuid        NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
    number             integer     NOT NULL,
    prompt_version_id  uuid        NOT NULL REFERENCES prompt_versions (id),
    dataset_version_id uuid        NOT NULL REFERENCES dataset_versions (id),
    status             text        NOT NULL DEFAULT 'pending'
                                   CHECK (status IN ('pending', 'executing', 'judging', 'aggregating', 'refining',
                                                     'reviewing', 'completed', 'failed', 'cancelled')),
    is_paused          boolean     NOT NULL DEFAULT false,
    metrics            jsonb,
    summary            text,
    cost_usd           numeric(14,6) NOT NULL DEFAULT 0,
    input_tokens       bigint      NOT NULL DEFAULT 0,
    output_tokens      bigint      NOT NULL DEFAULT 0,
    stop_reason        text,
    error              text,
    created_by         uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    started_at         timestamptz,
    finished_at        timestamptz,
    UNIQUE (experiment_id, number)
);

CREATE TABLE model_runs (
    id              uuid PRIMARY KEY,
    iteration_id    uuid        NOT NULL REFERENCES iterations (id) ON DELETE CASCADE,
    model_config_id uuid        NOT NULL REFERENCES model_configs (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (iteration_id, model_config_id)
);

CREATE TABLE llm_calls (
    id                  uuid PRIMARY KEY,
    project_id          uuid REFERENCES projects (id) ON DELETE CASCADE,
    experiment_id       uuid REFERENCES experiments (id) ON DELETE CASCADE,
    iteration_id        uuid REFERENCES iterations (id) ON DELETE CASCADE,
    credential_id       uuid REFERENCES provider_credentials (id) ON DELETE SET NULL,
    provider            text        NOT NULL,
    model               text        NOT NULL,
    purpose             text        NOT NULL,
    call_key            text UNIQUE,
    status              text        NOT NULL CHECK (status IN ('succeeded', 'failed')),
    attempts            integer     NOT NULL DEFAULT 1,
    cache_hit           boolean     NOT NULL DEFAULT false,
    input_tokens        integer     NOT NULL DEFAULT 0,
    output_tokens       integer     NOT NULL DEFAULT 0,
    cached_input_tokens integer     NOT NULL DEFAULT 0,
    reasoning_tokens    integer     NOT NULL DEFAULT 0,
    cost_usd            numeric(14,8) NOT NULL DEFAULT 0,
    latency_ms          integer     NOT NULL DEFAULT 0,
    finish_reason       text,
    response_text       text,
    error_class         text,
    error               text,
    started_at          timestamptz NOT NULL,
    finished_at         timestamptz NOT NULL
);
CREATE INDEX llm_calls_iteration ON llm_calls (iteration_id) WHERE iteration_id IS NOT NULL;
CREATE INDEX llm_calls_project_time ON llm_calls (project_id, started_at DESC);

CREATE TABLE outputs (
    id            uuid PRIMARY KEY,
    model_run_id  uuid        NOT NULL REFERENCES model_runs (id) ON DELETE CASCADE,
    case_id       uuid        NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    case_version  integer     NOT NULL,
    sample        integer     NOT NULL DEFAULT 0,
    status        text        NOT NULL CHECK (status IN ('succeeded', 'failed')),
    text          text        NOT NULL DEFAULT '',
    finish_reason text,
    error         text,
    input_tokens  integer     NOT NULL DEFAULT 0,
    output_tokens integer     NOT NULL DEFAULT 0,
    latency_ms    integer     NOT NULL DEFAULT 0,
    cost_usd      numeric(14,8) NOT NULL DEFAULT 0,
    llm_call_id   uuid REFERENCES llm_calls (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (model_run_id, case_id, sample)
);

CREATE TABLE judgments (
    id              uuid PRIMARY KEY,
    output_id       uuid        NOT NULL REFERENCES outputs (id) ON DELETE CASCADE,
    judge_config_id uuid        NOT NULL REFERENCES judge_configs (id) ON DELETE CASCADE,
    mode            text        NOT NULL CHECK (mode IN ('pointwise', 'pairwise', 'reference', 'human', 'check')),
    pair_key        text        NOT NULL DEFAULT '',
    status          text        NOT NULL CHECK (status IN ('succeeded', 'failed')),
    scores          jsonb       NOT NULL DEFAULT '{}',
    composite       double precision,
    reasoning       text        NOT NULL DEFAULT '',
    rationales      jsonb       NOT NULL DEFAULT '{}',
    safety_flags    text[]      NOT NULL DEFAULT '{}',
    suggestions     jsonb       NOT NULL DEFAULT '[]',
    winner          text,
    error           text,
    llm_call_id     uuid REFERENCES llm_calls (id) ON DELETE SET NULL,
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (output_id, judge_config_id, mode, pair_key)
);

CREATE TABLE suggestions (
    id                  uuid PRIMARY KEY,
    iteration_id        uuid        NOT NULL REFERENCES iterations (id) ON DELETE CASCADE,
    source_version_id   uuid        NOT NULL REFERENCES prompt_versions (id),
    proposed_version_id uuid REFERENCES prompt_versions (id),
    proposed_template   text        NOT NULL,
    unified_diff        text        NOT NULL,
    note                text        NOT NULL DEFAULT '',
    hypotheses          jsonb       NOT NULL DEFAULT '[]',
    target_criteria     text[]      NOT NULL DEFAULT '{}',
    edits               jsonb       NOT NULL DEFAULT '[]',
    status              text        NOT NULL DEFAULT 'pending'
                                    CHECK (status IN ('pending', 'approved', 'rejected', 'changes_requested', 'superseded')),
    created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reviews (
    id            uuid PRIMARY KEY,
    suggestion_id uuid REFERENCES suggestions (id) ON DELETE CASCADE,
    output_id     uuid REFERENCES outputs (id) ON DELETE CASCADE,
    reviewer_id   uuid REFERENCES users (id) ON DELETE SET NULL,
    decision      text        NOT NULL CHECK (decision IN ('approve', 'edit_approve', 'reject', 'request_changes', 'rate')),
    note          text        NOT NULL DEFAULT '',
    edited_text   text,
    scores        jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (suggestion_id IS NOT NULL OR output_id IS NOT NULL)
);

CREATE TABLE budgets (
    id            uuid PRIMARY KEY,
    project_id    uuid          NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    experiment_id uuid REFERENCES experiments (id) ON DELETE CASCADE,
    limit_usd     numeric(14,4) NOT NULL CHECK (limit_usd >= 0),
    period        text          NOT NULL DEFAULT 'total' CHECK (period IN ('total', 'month', 'day')),
    created_at    timestamptz   NOT NULL DEFAULT now()
);

CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id  uuid,
    user_id     uuid,
    action      text        NOT NULL,
    entity_type text        NOT NULL,
    entity_id   uuid,
    before      jsonb,
    after       jsonb,
    request_id  text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_project_time ON audit_log (project_id, created_at DESC);

CREATE TABLE data_protection_keys (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    friendly_name text        NOT NULL UNIQUE,
    xml           text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
