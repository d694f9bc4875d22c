-- The one-time token that first-run setup asks for, so whoever reaches a fresh instance first does not own it.
-- One row at most; every web process of the instance reads (and prints) the same token, and setup deletes it.
CREATE TABLE IF NOT EXISTS setup_token (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
