"""What a question asks, in each of the five languages; anything else matches nothing."""

from __future__ import annotations

import pytest

from evwatch.domain.explain.intents import (
    ANOMALIES,
    ENERGY,
    INTENTS,
    ISSUES,
    KEYWORDS,
    REVENUE,
    STATION,
    WHEN,
    WHY,
    intents_of,
)

QUESTIONS = {
    WHY: [
        "Why was this session flagged?",
        "Waarom is deze sessie gemarkeerd?",
        "Warum wurde dieser Ladevorgang markiert?",
        "Pourquoi cette session a-t-elle été signalée ?",
        "Dlaczego ta sesja została oznaczona?",
    ],
    ANOMALIES: [
        "Which anomalies were found?",
        "Welke afwijkingen zijn er?",
        "Welche Anomalien gibt es?",
        "Quelles anomalies ont été trouvées ?",
        "Jakie anomalie znaleziono?",
    ],
    WHEN: [
        "When did it happen?",
        "Wanneer gebeurde het?",
        "Wann ist das passiert?",
        "Quand est-ce arrivé ?",
        "Kiedy to się stało?",
    ],
    ENERGY: [
        "How much energy was delivered?",
        "Hoeveel energie is geleverd?",
        "Wie viel Energie wurde geliefert?",
        "Combien d'énergie a été fournie ?",
        "Ile energii dostarczono?",
    ],
    REVENUE: [
        "What is the revenue impact?",
        "Wat is de impact op de omzet?",
        "Wie wirkt sich das auf den Umsatz aus?",
        "Quel est l'impact sur le chiffre d'affaires ?",
        "Jaki jest wpływ na przychody?",
    ],
    STATION: [
        "How has this station been doing?",
        "Hoe doet deze laadpaal het?",
        "Wie sieht der Verlauf dieser Ladesäule aus?",
        "Quel est l'historique de cette borne ?",
        "Jaka jest historia tej ładowarki?",
    ],
    ISSUES: [
        "Is there an open issue for it?",
        "Is er een melding voor?",
        "Gibt es dazu einen offenen Vorgang?",
        "Y a-t-il un ticket ouvert ?",
        "Czy jest otwarte zgłoszenie?",
    ],
}


@pytest.mark.parametrize(("intent", "question"), [(i, q) for i, qs in QUESTIONS.items() for q in qs])
def test_each_intent_is_recognised_in_each_language(intent: str, question: str) -> None:
    assert intent in intents_of(question), question


def test_a_question_asking_several_things_gets_them_in_a_fixed_order() -> None:
    assert intents_of("How much energy and revenue, and why was it flagged?") == (WHY, ENERGY, REVENUE)


@pytest.mark.parametrize(
    "question",
    ["What is the weather tomorrow?", "Wie heißt der Fahrer?", "Qui est le conducteur ?", "", "???", "Pomocy!"],
)
def test_a_question_outside_the_data_matches_nothing(question: str) -> None:
    assert intents_of(question) == ()


def test_every_intent_has_keywords_written_without_accents() -> None:
    assert set(KEYWORDS) == set(INTENTS)
    for words in KEYWORDS.values():
        assert all(w == w.casefold() and w.isascii() for w in words), words
