"""The languages explanations and answers are written in (ISO 639-1 codes)."""

from __future__ import annotations

from evwatch.domain.errors import FieldProblem, InvalidInput

# English, Dutch, German, French, Polish: every template exists in each of them.
LANGUAGES: tuple[str, ...] = ("en", "nl", "de", "fr", "pl")
DEFAULT_LANGUAGE = "en"
# How an LLM is told which language to write in.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "nl": "Dutch", "de": "German", "fr": "French", "pl": "Polish"}


def check_language(value: str, field: str = "lang") -> str:
    """The language code in canonical (lower) case; 422 naming the value when evwatch does not write it."""
    code = value.strip().lower()
    if code not in LANGUAGES:
        supported = ", ".join(LANGUAGES)
        raise InvalidInput([FieldProblem(field, f"unsupported language {value!r}; supported: {supported}")])
    return code
