-- The chunks of an iteration's execute and judge phases, written when a phase schedules them and marked done by the chunk
-- that completes its range. A finished chunk asks "are any chunks of this phase still open?" (an index of open rows only)
-- instead of counting every output or judgment of the iteration, which made each chunk O(iteration) and a run O(n²).
-- The exact counts still decide every transition; this only says when they are worth running.
CREATE TABLE IF NOT EXISTS work_chunks (
    iteration_id uuid NOT NULL REFERENCES iterations (id) ON DELETE CASCADE,
    chunk_key text NOT NULL,
    phase text NOT NULL CHECK (phase IN ('execute', 'judge')),
    items integer NOT NULL CHECK (items >= 0),
    done boolean NOT NULL DEFAULT false,
    PRIMARY KEY (iteration_id, chunk_key)
);

CREATE INDEX IF NOT EXISTS work_chunks_open ON work_chunks (iteration_id, phase) WHERE NOT done;
