"""The product's words the dashboard shows, taken from the domain so the scripts never repeat them."""

from __future__ import annotations

import msgspec

from evwatch.domain.categories import BILLING_CATEGORIES, CATEGORIES
from evwatch.domain.explain.phrases.en import PHRASES
from evwatch.domain.triage import CLOSED, STATUSES, TRANSITIONS


class Category(msgspec.Struct, rename="camel", kw_only=True):
    """A session anomaly category: its code, English name and what it means."""

    code: str
    name: str
    description: str
    billing: bool


class Vocabulary(msgspec.Struct, rename="camel", kw_only=True):
    """Categories, issue statuses and the moves each status allows (docs/triage.md)."""

    categories: list[Category]
    issue_statuses: list[str]
    closed_statuses: list[str]
    transitions: dict[str, list[str]]


def vocabulary() -> Vocabulary:
    """The vocabulary as the domain defines it."""
    return Vocabulary(
        categories=[
            Category(
                code=code,
                name=PHRASES.categories[code][0],
                description=PHRASES.categories[code][1],
                billing=code in BILLING_CATEGORIES,
            )
            for code in CATEGORIES
        ],
        issue_statuses=list(STATUSES),
        closed_statuses=[s for s in STATUSES if s in CLOSED],
        transitions={s: [t for t in STATUSES if t in TRANSITIONS[s]] for s in STATUSES},
    )
