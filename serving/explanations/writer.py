"""Who writes an explanation or an answer: the LLM when one is configured and its text is grounded in
the facts, else the templates. Why an LLM text was not used is logged and handed back with the text,
so the explanation cache can keep it (`fallback_reason`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from evwatch.domain.explain import prompts, templates
from evwatch.domain.explain.facts import SessionFacts, grounding
from evwatch.domain.explain.intents import intents_of
from evwatch.llm import ChatClient, ChatError

log = logging.getLogger("evwatch.explanations")

TEMPLATE = "template"
LLM = "llm"
# At most this many offending numbers are named in a fallback reason.
_NAMED = 5


@dataclass(frozen=True, slots=True)
class Written:
    """A text and what wrote it: `engine` is "template" or "llm"; `model` the LLM asked (empty without
    one); `fallback_reason` why the LLM's text was not used."""

    text: str
    engine: str
    model: str = ""
    fallback_reason: str | None = None


class Writer:
    """Writes explanations and answers from a session's facts."""

    def __init__(self, chat: ChatClient | None = None) -> None:
        self._chat = chat

    def explain(self, facts: SessionFacts, lang: str) -> Written:
        """The explanation of the session in `lang`."""
        fallback = templates.explanation(facts, lang)
        return self._write(facts, fallback, lambda: prompts.explain_messages(facts, lang), "explanation")

    def answer(self, facts: SessionFacts, question: str, lang: str) -> Written:
        """The answer to `question` in `lang`; the templates answer what its keywords ask."""
        fallback = templates.answer(facts, intents_of(question), lang)
        return self._write(facts, fallback, lambda: prompts.ask_messages(facts, question, lang), "answer")

    def _write(self, facts: SessionFacts, fallback: str, messages: prompts.MessagesFactory, what: str) -> Written:
        if self._chat is None:
            return Written(fallback, TEMPLATE)
        model = self._chat.model
        try:
            text = self._chat.complete(messages()).strip()
        except ChatError as exc:
            reason = f"the LLM gave no answer: {exc}"
        else:
            invented = grounding(facts).ungrounded(text)
            if not invented:
                return Written(text, LLM, model)
            named = ", ".join(invented[:_NAMED]) + (", ..." if len(invented) > _NAMED else "")
            reason = f"the LLM stated figures that are not in the facts: {named}"
        log.warning("%s of session %s written by the template: %s", what, facts.session_id, reason)
        return Written(fallback, TEMPLATE, model, reason)
