"""Finding the numbers a text states, and telling those the facts hold from invented ones."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from evwatch.domain.explain.grounding import Grounding, GroundingBuilder, numbers_in, readings_of, rounded


def D(text: str) -> Decimal:
    return Decimal(text)


@pytest.mark.parametrize(
    ("number", "values"),
    [
        ("12", {D("12")}),
        ("12.5", {D("12.5")}),
        ("12,5", {D("12.5")}),
        ("1,234", {D("1.234"), D("1234")}),
        ("1.234", {D("1.234"), D("1234")}),
        ("1,234.5", {D("1234.5")}),
        ("1.234,5", {D("1234.5")}),
        ("1,234,567", {D("1234567")}),
        ("1,2,3", set()),
        ("12.34.5", set()),
    ],
)
def test_a_written_number_means_each_of_its_readings(number: str, values: set[Decimal]) -> None:
    assert readings_of(number) == values


def test_numbers_dates_and_times_are_found_in_order_and_list_markers_are_not() -> None:
    text = "1. Score 93% on 2026-02-27 at 9:05 UTC,\n2) then 12,50 kWh and 10:15:30.\nDone in 3 steps."
    found = [(t.kind, t.text) for t in numbers_in(text)]
    assert found == [
        ("number", "93"),
        ("date", "2026-02-27"),
        ("time", "09:05"),
        ("number", "12,50"),
        ("time", "10:15:30"),
        ("number", "3"),
    ]


def test_rounding_is_half_up_and_has_no_negative_zero() -> None:
    assert rounded(0.125, 2) == D("0.13")
    assert rounded(2.5, 0) == D("3")
    assert str(rounded(-0.0001, 2)) == "0.00"


def grounding() -> Grounding:
    g = GroundingBuilder()
    g.value(12.3456)
    g.ratio(0.8734)
    g.count(40)
    g.moment(datetime(2026, 2, 27, 10, 15, 30, tzinfo=UTC))
    g.name("CP-NL-AMS-0042")
    g.name("csar2-0.7")
    g.name("7")
    return g.build()


@pytest.mark.parametrize(
    "text",
    [
        "It delivered 12.35 kWh (12,3 rounded, 12 whole, 12.3456 exactly).",
        "Score 87%, 87.3 %, 87.34% or 0.87.",
        "40 sessions; at 10:15 and 10:15:30 UTC on 2026-02-27.",
        "Station CP-NL-AMS-0042 (cp-nl-ams-0042), model csar2-0.7 (CSAR-2 and SHADE), connector 7.",
        "A drop of -12.35 kWh.",
        "1. First point\n2. Second point",
    ],
)
def test_what_the_facts_hold_is_grounded(text: str) -> None:
    assert grounding().ungrounded(text) == []


@pytest.mark.parametrize(
    ("text", "invented"),
    [
        ("It delivered 12.4 kWh.", ["12.4"]),
        ("Score 88%.", ["88"]),
        ("41 sessions.", ["41"]),
        ("At 10:16 UTC on 2026-02-28.", ["10:16", "2026-02-28"]),
        ("Station CP-NL-AMS-0043.", ["0043"]),
        ("Over 3 hours it drew 24.7 kWh.", ["3", "24.7"]),
        ("Model csar3.", ["3"]),
    ],
)
def test_a_number_the_facts_do_not_hold_is_named(text: str, invented: list[str]) -> None:
    assert grounding().ungrounded(text) == invented
