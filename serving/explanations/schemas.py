"""Bodies of Explain Session, Get Session Explanation and Ask Session, as the contract names them."""

from __future__ import annotations

from typing import Annotated

import msgspec

from evwatch.domain.explain.languages import DEFAULT_LANGUAGE

# Long enough for any real question, short enough that a question cannot crowd out the facts an
# LLM is given (the contract sets no maximum).
MAX_QUESTION_CHARS = 2000
Question = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_QUESTION_CHARS)]


class ExplainSessionRequest(msgspec.Struct, rename="camel"):
    """Explain Session's optional body: the language and whether to bypass the cache."""

    lang: str = DEFAULT_LANGUAGE
    regenerate: bool = False


class SessionExplanation(msgspec.Struct, rename="camel"):
    """An explanation; `cached` says whether it came from the cache."""

    session_id: str
    explanation: str
    cached: bool | None = None


class AskSessionRequest(msgspec.Struct, rename="camel"):
    """One question about the session, answered in `lang`."""

    question: Question
    lang: str = DEFAULT_LANGUAGE


class AskSessionResponse(msgspec.Struct, rename="camel"):
    """The answer, in the requested language."""

    session_id: str
    answer: str
