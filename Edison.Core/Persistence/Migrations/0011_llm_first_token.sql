-- How long a streamed call took to its first text, the latency a person waiting for AI assist feels.
ALTER TABLE llm_calls ADD COLUMN first_token_ms integer;
