"""prepare(): resampling, features and edge cases."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from evwatch.domain.categories import ENERGY_EVIDENCE, POWER_EVIDENCE
from evwatch.domain.ocpp import ENERGY, INTERVAL_ENERGY, POWER, SOC
from models.csar2.features import FEATURE_NAMES
from models.csar2.io import INPUTS, MAX_UNITS
from models.csar2.preprocess import prepare
from models.csar2.schema import Reading, SessionContext

F = {n: i for i, n in enumerate(FEATURE_NAMES)}
T0 = 1_700_000_000.0


def session(minutes: int = 30, step_s: float = 60.0, kw: float = 11.0, soc: bool = True) -> list[Reading]:
    """A clean constant-power session."""
    out = []
    for k in range(int(minutes * 60 / step_s) + 1):
        t = T0 + k * step_s
        out.append(Reading(t, ENERGY, 1000.0 + kw * k * step_s / 3600.0))
        out.append(Reading(t, POWER, kw))
        if soc:
            out.append(Reading(t, SOC, 20.0 + k * step_s / 60.0 * 0.3))
    return out


CTX = SessionContext(max_power_kw=11.0, current_type="AC")


def test_shapes_and_dtypes_match_contract() -> None:
    p = prepare(session(), CTX)
    for name, (dtype, shape) in INPUTS.items():
        assert p.inputs[name].shape == shape
        assert p.inputs[name].dtype == np.float32 and dtype == "FP32"
    assert p.n_units == 31 and p.unit_seconds == 60.0
    assert p.inputs["MASK"].sum() == 31
    assert np.isfinite(p.inputs["FEATURES"]).all()
    assert p.unit_start_ts(0) == T0


def test_constant_power_features_are_consistent() -> None:
    x = prepare(session(), CTX).inputs["FEATURES"][:30]
    assert np.allclose(x[:, F["p_mean"]], 1.0, atol=1e-6)
    # energy rate equals power: no residual
    assert np.abs(x[:, F["pe_residual"]]).max() < 0.02
    assert x[:, F["neg_step"]].min() == 0.0 and x[:, F["jump_excess"]].max() == 0.0


def test_unsorted_input_gives_same_features() -> None:
    r = session()
    shuffled = [r[i] for i in np.random.default_rng(0).permutation(len(r))]
    a = prepare(r, CTX).inputs["FEATURES"]
    b = prepare(shuffled, CTX).inputs["FEATURES"]
    late = F["late"]
    keep = [i for i in range(a.shape[1]) if i != late]
    assert np.allclose(a[:, keep], b[:, keep])
    assert b[:, late].sum() > 0  # out-of-order arrival is kept as evidence


def test_identical_resends_are_benign() -> None:
    r = session()
    a = prepare(r, CTX).inputs["FEATURES"]
    assert np.array_equal(a, prepare(r + r[30:36], CTX).inputs["FEATURES"])


def test_conflicting_resends_are_evidence_not_values() -> None:
    r = session()
    conflicting = [Reading(x.ts, x.measurand, x.value + 0.5) for x in r[30:36]]
    a = prepare(r, CTX).inputs["FEATURES"]
    b = prepare(r + conflicting, CTX).inputs["FEATURES"]
    assert b[:, F["duplicates"]].sum() > 0
    assert np.allclose(a[:, F["e_rate"]], b[:, F["e_rate"]])  # the first value stands


def test_inlet_register_beside_the_outlet_one_is_not_a_duplicate() -> None:
    r = session()
    outlet = [replace(x, location="Outlet") if x.measurand == ENERGY else x for x in r]
    inlet = [replace(x, location="Inlet", value=x.value * 1.03) for x in r if x.measurand == ENERGY]
    a = prepare(r, CTX).inputs["FEATURES"]
    assert np.array_equal(a, prepare(outlet + inlet, CTX).inputs["FEATURES"])


def test_interval_energy_becomes_a_register() -> None:
    r = session(soc=False)
    register = [x for x in r if x.measurand == ENERGY]
    deltas = [Reading(b.ts, INTERVAL_ENERGY, b.value - a.value) for a, b in zip(register, register[1:], strict=False)]
    intervals = [x for x in r if x.measurand != ENERGY] + [Reading(register[0].ts, INTERVAL_ENERGY, 0.0), *deltas]
    a = prepare(r, CTX).inputs["FEATURES"]
    b = prepare(intervals, CTX).inputs["FEATURES"]
    assert np.allclose(a[:, F["e_rate"]], b[:, F["e_rate"]], atol=1e-5)
    assert ENERGY_EVIDENCE in prepare(intervals, CTX).evidence


def test_measurands_in_their_own_frames_make_no_gap() -> None:
    r = session()
    shifted = [replace(x, ts=x.ts + 3.0) if x.measurand != ENERGY else x for x in r]
    a = prepare(r, CTX).inputs["FEATURES"]
    b = prepare(shifted, CTX).inputs["FEATURES"]
    for name in ("gap_rel", "gap_abs", "n_readings", "log_unit"):
        assert np.allclose(a[:, F[name]], b[:, F[name]], atol=0.05), name


def test_a_stretch_without_any_reading_is_a_gap() -> None:
    r = [x for x in session(minutes=60) if not T0 + 1200 < x.ts < T0 + 2400]
    x = prepare(r, CTX).inputs["FEATURES"]
    assert x[25, F["gap_rel"]] > 2.0 and x[5, F["gap_rel"]] == 0.0


def test_power_only_has_no_energy_comparison() -> None:
    power_only = [x for x in session() if x.measurand == POWER]
    p = prepare(power_only, CTX)
    x = p.inputs["FEATURES"][: p.n_units]
    assert p.evidence == frozenset({POWER_EVIDENCE})
    assert x[:, F["has_energy"]].max() == 0.0
    for name in ("pe_residual", "pe_logratio", "pe_logratio_win", "e_rate"):
        assert x[:, F[name]].max() == 0.0 == x[:, F[name]].min(), name


def test_a_profile_at_the_rating_is_no_limit() -> None:
    a = prepare(session(), CTX).inputs["FEATURES"]
    b = prepare(session(), replace(CTX, charging_profile_limit_kw=11.0)).inputs["FEATURES"]
    assert np.array_equal(a, b)
    c = prepare(session(), replace(CTX, charging_profile_limit_kw=5.5)).inputs["FEATURES"]
    assert c[0, F["profile_limit"]] == pytest.approx(0.5)


def test_missing_soc_is_reconstructed() -> None:
    p = prepare(session(soc=False), SessionContext(max_power_kw=11.0, battery_capacity_kwh=50.0, target_soc=80.0))
    assert p.soc_reconstructed
    socs = [s for _, s in p.reconstructed_soc]
    assert len(socs) == 31 and socs[-1] == pytest.approx(80.0)
    assert all(b >= a for a, b in zip(socs, socs[1:], strict=False))
    assert p.inputs["FEATURES"][0, F["soc_reconstructed"]] == 1.0
    assert not prepare(session(), CTX).soc_reconstructed


def test_long_session_grows_unit() -> None:
    p = prepare(session(minutes=20 * 60, step_s=300.0), CTX)
    assert p.unit_seconds > 60.0
    assert p.n_units <= MAX_UNITS
    assert p.unit_seconds * (p.n_units) >= 20 * 3600


def test_fewer_than_three_readings_raises() -> None:
    with pytest.raises(ValueError):
        prepare(session()[:2], CTX)
    with pytest.raises(ValueError):
        prepare([Reading(T0 + i, "Temperature", 20.0) for i in range(10)], CTX)


def test_unknown_measurands_ignored_and_phases_summed() -> None:
    base = [r for r in session() if r.measurand != POWER]
    phased = [
        Reading(r.ts, POWER, 11.0 / 3, phase=ph) for r in session() if r.measurand == POWER for ph in ("L1", "L2", "L3")
    ]
    noise = [Reading(r.ts, "Temperature", 30.0) for r in base[:10]]
    p = prepare(base + phased + noise, CTX)
    assert np.allclose(p.inputs["FEATURES"][:30, F["p_mean"]], 1.0, atol=1e-6)


def test_register_decrease_and_jump_show_up() -> None:
    r = session()
    bad = [
        Reading(x.ts, x.measurand, x.value - 3.0 if x.measurand == ENERGY and x.ts >= T0 + 900 else x.value) for x in r
    ]
    x = prepare(bad, CTX).inputs["FEATURES"]
    assert x[:, F["neg_step"]].min() < -0.5
    jump = [
        Reading(x.ts, x.measurand, x.value + 500.0 if x.measurand == ENERGY and x.ts >= T0 + 900 else x.value)
        for x in r
    ]
    assert prepare(jump, CTX).inputs["FEATURES"][:, F["jump_excess"]].max() > 3.0


def test_no_power_sets_flag() -> None:
    p = prepare([r for r in session() if r.measurand != POWER], CTX)
    assert p.inputs["FEATURES"][0, F["has_power"]] == 0.0
    assert np.isfinite(p.inputs["FEATURES"]).all()


def test_soc_drop_shows_as_drawdown() -> None:
    r = session()
    bad = [
        Reading(x.ts, x.measurand, x.value - 10.0 if x.measurand == SOC and T0 + 600 <= x.ts < T0 + 900 else x.value)
        for x in r
    ]
    x = prepare(bad, CTX).inputs["FEATURES"]
    assert x[10:15, F["soc_drawdown"]].max() > 2.0
    assert x[20:, F["soc_drawdown"]].max() == 0.0


def test_power_drop_lowers_level_vs_peak() -> None:
    r = session(minutes=40)
    derated = [
        Reading(x.ts, x.measurand, x.value * (0.4 if x.measurand == POWER and T0 + 1200 <= x.ts < T0 + 1800 else 1.0))
        for x in r
    ]
    x = prepare(derated, CTX).inputs["FEATURES"]
    assert x[5:15, F["level_vs_peak"]].min() > 0.95
    assert x[23:28, F["level_vs_peak"]].max() < 0.6
