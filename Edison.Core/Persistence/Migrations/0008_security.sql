-- One row of instance-wide settings: whether the first-run setup is done and whether anyone may sign up.
CREATE TABLE instance_settings (
    id             boolean     PRIMARY KEY DEFAULT true CHECK (id),
    public_sign_up boolean     NOT NULL DEFAULT false,
    set_up_at      timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE invitations ADD COLUMN used_by uuid REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX project_members_user ON project_members (user_id);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
