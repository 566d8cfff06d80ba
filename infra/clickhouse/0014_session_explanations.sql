-- Explanations of sessions, cached per language and per analysis explained: analysis_version is the
-- inference_id of the analysis the session showed, or `unanalysed:<revision>` for a session without
-- one, so a new analysis (or a new write to an unanalysed session) is explained afresh. Regenerating
-- rewrites the row; the latest generated_at wins (read with FINAL).
CREATE TABLE IF NOT EXISTS session_explanations
(
    tenant_id        String,
    session_id       String,
    lang             LowCardinality(String),
    analysis_version String,
    explanation      String,
    engine           LowCardinality(String) COMMENT 'template or llm: what wrote the explanation',
    model            String COMMENT 'the LLM model asked, empty when none is configured',
    fallback_reason  String COMMENT 'why the LLM answer was not used (the template wrote it); empty otherwise',
    generated_at     DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(generated_at)
ORDER BY (tenant_id, session_id, lang, analysis_version);
