-- The new-experiment wizard keeps each person's unfinished experiment server-side, so Back/Next and a reload lose nothing.
CREATE TABLE experiment_drafts (
    project_id uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    step       integer     NOT NULL DEFAULT 1,
    data       jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, user_id)
);

-- Which credential and model answer AI assist in a project.
CREATE TABLE project_assist_settings (
    project_id    uuid PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    credential_id uuid        NOT NULL REFERENCES provider_credentials (id) ON DELETE CASCADE,
    model         text        NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
