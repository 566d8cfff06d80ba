"""The same sessions re-sent one wire habit at a time: how much each habit alone moves the findings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from evwatch.domain.categories import observable
from models.csar2.preprocess import PreparedSession, prepare
from models.csar2.schema import Csar2Result, SessionContext
from models.simulator import wire

# prepared sessions -> results, in order (batched inference + interpretation)
Analyse = Callable[[list[PreparedSession]], list[Csar2Result]]


@dataclass(frozen=True, slots=True)
class VariantRow:
    """One habit applied to a group of sessions."""

    variant: str
    sessions: int  # sessions that still had >= 3 readings
    flagged: int
    detected: int  # anomalous sessions whose (still observable) category was found
    anomalous: int  # anomalous sessions whose category is still observable
    flags: tuple[tuple[int, tuple[str, ...]], ...]  # (session index, categories) of each flagged clean session

    @property
    def flagged_share(self) -> float:
        """Share of the clean sessions flagged (nan when none)."""
        clean = self.sessions - self.anomalous
        return self.flagged / clean if clean else float("nan")


@dataclass(frozen=True, slots=True)
class Resendable:
    """A session as meter values (before any habit), its context and its true categories with their needs."""

    values: wire.Values
    context: SessionContext
    categories: frozenset[str] = frozenset()


def variant_rows(sessions: Sequence[Resendable], analyse: Analyse) -> list[VariantRow]:
    """For every habit in `wire.VARIANTS`: clean sessions flagged, anomalous ones still found."""
    rows = []
    for name, habit in wire.VARIANTS.items():
        prepared: list[PreparedSession] = []
        truth: list[frozenset[str]] = []
        index: list[int] = []
        for i, s in enumerate(sessions):
            values = habit(s.values)
            try:
                p = prepare(wire.readings_of(values), s.context)
            except ValueError:
                continue  # fewer than 3 readings left: nothing to analyse
            prepared.append(p)
            seen = wire.evidence(values)
            truth.append(frozenset(c for c in s.categories if observable(c, seen)))
            index.append(i)
        results = analyse(prepared) if prepared else []
        found = [frozenset(f.category for f in r.findings) for r in results]
        clean = [k for k, t in enumerate(truth) if not t]
        flags = tuple((index[k], tuple(sorted(found[k]))) for k in clean if found[k])
        anomalous = [k for k, t in enumerate(truth) if t]
        rows.append(
            VariantRow(
                variant=name,
                sessions=len(prepared),
                flagged=len(flags),
                detected=sum(bool(found[k] & truth[k]) for k in anomalous),
                anomalous=len(anomalous),
                flags=flags,
            )
        )
    return rows
