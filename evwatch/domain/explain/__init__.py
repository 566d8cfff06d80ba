"""Explanations of a session and answers about it, grounded in its facts (pure; docs/explain.md).

`facts` gathers what evwatch knows about one session into plain records, `grounding` checks that
every number a text states comes from them, `templates` writes the deterministic texts in every
language of `languages` (sentences in `phrases`), `intents` tells what a question asks, and
`prompts` shows an LLM the same facts (`context`).
"""
