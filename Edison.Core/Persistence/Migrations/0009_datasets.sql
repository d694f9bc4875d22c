-- Synthetic generation: one row per run (progress, cancel flag, outcome) and its cases, which wait in review.
CREATE TABLE generation_runs (
    id               uuid PRIMARY KEY,
    project_id       uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    experiment_id    uuid REFERENCES experiments (id) ON DELETE CASCADE,
    dataset_id       uuid REFERENCES datasets (id) ON DELETE SET NULL,
    request          jsonb       NOT NULL,
    requested        integer     NOT NULL CHECK (requested > 0),
    status           text        NOT NULL DEFAULT 'pending'
                                 CHECK (status IN ('pending', 'running', 'review', 'completed', 'cancelled', 'failed')),
    rounds           integer     NOT NULL DEFAULT 0,
    unique_cases     integer     NOT NULL DEFAULT 0,
    dropped_cases    integer     NOT NULL DEFAULT 0,
    cancel_requested boolean     NOT NULL DEFAULT false,
    diversity        double precision,
    tags_per_100     double precision,
    outcome          text,
    error            text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX generation_runs_project ON generation_runs (project_id, created_at DESC);

CREATE TABLE generated_cases (
    id              uuid PRIMARY KEY,
    run_id          uuid        NOT NULL REFERENCES generation_runs (id) ON DELETE CASCADE,
    position        integer     NOT NULL,
    round           integer     NOT NULL,
    input           jsonb       NOT NULL,
    expected_output text,
    tags            text[]      NOT NULL DEFAULT '{}',
    difficulty      text CHECK (difficulty IN ('easy', 'medium', 'hard')),
    persona         text,
    scenario        text,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'discarded', 'dropped')),
    drop_reason     text,
    duplicate_of    integer,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (run_id, position)
);
