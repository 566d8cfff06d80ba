"""Domain errors; the HTTP layer and the dead-letter writer translate them in one place each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid field, named by its JSON path (e.g. `meterValues[2].unit`)."""

    field: str
    message: str


class EvwatchError(Exception):
    """Base of every error evwatch raises on purpose."""


class MalformedInput(EvwatchError):
    """The input is not parseable JSON (or not a JSON object)."""


class InvalidInput(EvwatchError):
    """Parsed input that breaks a rule; carries every offending field."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


class NotFound(EvwatchError):
    """The addressed resource does not exist in the caller's tenant."""


class Forbidden(EvwatchError):
    """The caller may not do this (403), for reasons beyond the route's roles."""


class Conflict(EvwatchError):
    """The request conflicts with stored state (e.g. a duplicate sessionId)."""


class Unavailable(EvwatchError):
    """A dependency (Triton, ClickHouse, Kafka) cannot serve the request right now; retrying helps."""


class InferenceRejected(EvwatchError):
    """The model refused the request (bad input, a model error); retrying the same input does not help."""
