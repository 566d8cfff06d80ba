"""Wire habits: each transformation alone, and the drawn habits as a whole."""

from __future__ import annotations

import numpy as np
import pytest

from evwatch.domain.categories import ENERGY_EVIDENCE, POWER_EVIDENCE, SOC_EVIDENCE
from evwatch.domain.ocpp import ENERGY, INTERVAL_ENERGY, POWER, SOC
from models.simulator import wire

T0 = 1_750_000_000.0


def values(n: int = 6) -> wire.Values:
    out: wire.Values = []
    for i in range(n):
        out += [
            wire.Value(T0 + 60 * i, ENERGY, 100.0 + 0.2 * i, i),
            wire.Value(T0 + 60 * i, POWER, 12.0, i),
            wire.Value(T0 + 60 * i, SOC, 40.0 + i, i),
        ]
    return out


def test_split_frames_moves_only_the_named_measurands_into_their_own_frames() -> None:
    out = wire.split_frames(values(), {POWER: 3.0})
    assert {v.ts - T0 - 60 * (v.frame // 8) for v in out if v.measurand == POWER} == {3.0}
    assert all(v.ts == T0 + 60 * (v.frame // 8) for v in out if v.measurand != POWER)
    assert len({v.frame for v in out}) == 12


def test_interval_energy_adds_back_up_to_the_register() -> None:
    out = wire.energy_as_interval(values())
    deltas = [v.value for v in out if v.measurand == INTERVAL_ENERGY]
    assert deltas[0] == 0.0 and sum(deltas) == pytest.approx(1.0)
    assert ENERGY not in {v.measurand for v in out}


def test_per_phase_power_sums_to_the_total() -> None:
    out = wire.per_phase(values(1))
    assert sum(v.value for v in out if v.measurand == POWER) == pytest.approx(12.0)
    assert {v.phase for v in out if v.measurand == POWER} == {"L1", "L2", "L3"}


def test_retransmits_repeat_frames_and_a_late_run_goes_last() -> None:
    v = values()
    assert len(wire.retransmit(v, [1, 2])) == len(v) + 6
    late = wire.flush_late(v, 1, 2)
    assert [x.frame for x in late][-6:] == [1, 1, 1, 2, 2, 2]


def test_rendering_in_local_time_and_wh_reads_back_the_same() -> None:
    rendering = wire.Rendering(energy_unit="Wh", power_unit="W", utc_offset_minutes=-300)
    raw = wire.render(values(2), rendering)
    assert raw[0]["timestamp"].endswith("-05:00") and raw[0]["unit"] == "Wh" and raw[0]["value"] == 100_000.0
    back = wire.normalise(raw)
    assert [(r.ts, r.measurand, round(r.value, 6)) for r in back] == [(v.ts, v.measurand, v.value) for v in values(2)]


def test_evidence_names_what_the_values_can_show() -> None:
    assert wire.evidence(values()) == {ENERGY_EVIDENCE, POWER_EVIDENCE, SOC_EVIDENCE}
    assert wire.evidence(wire.keep_measurands(values(), frozenset({POWER}))) == {POWER_EVIDENCE}
    assert wire.evidence(wire.energy_as_interval(wire.keep_measurands(values(), frozenset({ENERGY})))) == {
        ENERGY_EVIDENCE
    }


def test_drawn_habits_vary_and_always_leave_something_to_read() -> None:
    rng = np.random.default_rng(3)
    drawn = [wire.draw_habits(rng, reports=frozenset({ENERGY, POWER}), three_phase=True) for _ in range(300)]
    assert all(h.keep for h in drawn)
    assert 0.2 < np.mean([bool(h.offsets_s) for h in drawn]) < 0.5
    assert 0.02 < np.mean([ENERGY not in h.keep for h in drawn]) < 0.15
    assert {h.rendering.utc_offset_minutes for h in drawn} > {0, 60}
