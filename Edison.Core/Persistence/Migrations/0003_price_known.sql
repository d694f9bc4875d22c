-- A call of a model with no price costs 0 in the sums but must say so, instead of passing for a free call.
ALTER TABLE llm_calls ADD COLUMN price_known boolean NOT NULL DEFAULT true;

-- Where each list price was read and when, shown beside cost figures.
ALTER TABLE model_prices ADD COLUMN source text, ADD COLUMN as_of date;

UPDATE model_prices SET
    source = CASE provider
        WHEN 'openai'    THEN 'OpenAI API pricing page (openai.com/api/pricing)'
        WHEN 'anthropic' THEN 'Anthropic API pricing page (anthropic.com/pricing#api)'
        WHEN 'gemini'    THEN 'Gemini Developer API pricing page (ai.google.dev/gemini-api/docs/pricing)'
        ELSE provider || ' pricing page'
    END,
    as_of = DATE '2025-10-01'
WHERE source IS NULL;
