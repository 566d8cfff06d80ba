"""The template engine: every language, every intent, and no number that is not in the facts."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import replace

import pytest

from evwatch.domain.categories import CATEGORIES, STATION_ANOMALY_TYPES
from evwatch.domain.explain import templates
from evwatch.domain.explain.facts import SessionFacts, grounding
from evwatch.domain.explain.grounding import numbers_in
from evwatch.domain.explain.intents import INTENTS
from evwatch.domain.explain.languages import LANGUAGES
from evwatch.domain.explain.phrases import PHRASES
from tests.support.explanations import random_inputs, register_decrease

SEEDS = range(150)


def texts(facts: SessionFacts, lang: str) -> Iterator[str]:
    """The explanation, the answer to each intent alone and to all of them, and the not-in-the-data answer."""
    yield templates.explanation(facts, lang)
    for intent in INTENTS:
        yield templates.answer(facts, (intent,), lang)
    yield templates.answer(facts, INTENTS, lang)
    yield templates.answer(facts, (), lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_number_every_template_writes_is_in_the_facts(lang: str) -> None:
    for seed in SEEDS:
        facts = random_inputs(random.Random(seed)).facts()
        held = grounding(facts)
        for text in texts(facts, lang):
            assert text.strip(), (seed, lang)
            assert "{" not in text and "}" not in text, (seed, lang, text)
            assert held.ungrounded(text) == [], (seed, lang, text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_worked_example_in_each_language(lang: str) -> None:
    facts = register_decrease().facts()
    text = templates.explanation(facts, lang)
    decimal = PHRASES[lang].numbers.decimal
    label = PHRASES[lang].categories["KWH_DECREASE"][0]
    for figure in ("93", "88", f"0{decimal}295 EUR", "2026-02-27 10:05 UTC", "csar2-0.7", "iss-9f2", label, "40"):
        assert figure in text, (lang, figure, text)
    # nl, de, fr and pl write a decimal comma; no figure is written with the other mark
    other = "," if decimal == "." else "."
    figures = numbers_in(text.replace("csar2-0.7", ""))
    assert not [t.text for t in figures if other in t.text], text


def test_every_language_names_every_category_and_station_type() -> None:
    for lang, phrases in PHRASES.items():
        assert set(phrases.categories) == set(CATEGORIES), lang
        assert set(phrases.station_types) == {*STATION_ANOMALY_TYPES, ""}, lang
        assert all(label and description.endswith(".") for label, description in phrases.categories.values()), lang


def test_no_sentence_carries_a_number_of_its_own() -> None:
    for lang, phrases in PHRASES.items():
        for name in phrases.__slots__:
            value = getattr(phrases, name)
            if isinstance(value, str):
                assert not re.search(r"\d", value), (lang, name, value)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_question_outside_the_data_gets_the_honest_answer_and_no_numbers(lang: str) -> None:
    facts = register_decrease().facts()
    text = templates.answer(facts, (), lang)
    assert text == PHRASES[lang].not_in_data and numbers_in(text) == []


def test_the_languages_say_different_things() -> None:
    facts = register_decrease().facts()
    assert len({templates.explanation(facts, lang) for lang in LANGUAGES}) == len(LANGUAGES)


def test_an_unknown_category_is_named_by_its_code() -> None:
    inputs = register_decrease()
    assert inputs.analysis is not None
    anomalies = tuple(replace(a, category="NEW_THING") for a in inputs.analysis.anomalies)
    inputs.analysis = replace(inputs.analysis, anomalies=anomalies)
    assert "NEW_THING from" in templates.explanation(inputs.facts(), "en")
