-- Gemini on Vertex AI goes through Vertex's OpenAI-compatible endpoint, not Anthropic's: it gets its own kind.
ALTER TABLE provider_credentials DROP CONSTRAINT provider_credentials_provider_check;
ALTER TABLE provider_credentials ADD CONSTRAINT provider_credentials_provider_check
    CHECK (provider IN ('openai', 'azure-openai', 'anthropic', 'anthropic-bedrock', 'anthropic-vertex', 'vertex', 'gemini', 'ollama',
                        'openai-compatible', 'local'));
