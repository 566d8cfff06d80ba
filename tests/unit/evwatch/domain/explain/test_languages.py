"""Which languages evwatch writes in, and the 422 for any other."""

from __future__ import annotations

import pytest

from evwatch.domain.errors import InvalidInput
from evwatch.domain.explain.languages import LANGUAGE_NAMES, LANGUAGES, check_language
from evwatch.domain.explain.phrases import PHRASES


def test_every_language_has_its_phrases_and_its_name() -> None:
    assert LANGUAGES == ("en", "nl", "de", "fr", "pl")
    assert set(PHRASES) == set(LANGUAGES) == set(LANGUAGE_NAMES)


@pytest.mark.parametrize(("given", "code"), [("en", "en"), ("NL", "nl"), (" de ", "de"), ("Fr", "fr"), ("pl", "pl")])
def test_a_supported_code_is_taken_in_any_case(given: str, code: str) -> None:
    assert check_language(given) == code


@pytest.mark.parametrize("given", ["es", "english", "", "e n", "zh-Hans"])
def test_any_other_is_refused_naming_the_value(given: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_language(given)
    (problem,) = refused.value.problems
    assert problem.field == "lang" and repr(given) in problem.message and "en, nl, de, fr, pl" in problem.message
