"""Simulator: determinism, units, and that every category's injection is physically visible."""

from __future__ import annotations

import numpy as np
import pytest

from evwatch.domain.categories import CATEGORIES
from evwatch.domain.ocpp import ENERGY, POWER, SOC
from models.csar2.resample import clean
from models.simulator import SimulatedSession, simulate_session
from models.simulator.session import HARD_NEGATIVES
from models.simulator.wire import normalise


def series(s: SimulatedSession, m: str) -> tuple[np.ndarray, np.ndarray]:
    # through the model's own cleaning: phases, locations, interval energy and resends as evwatch sees them
    found = clean(s.readings).series[m]
    return found.ts, found.value


def test_deterministic_per_seed() -> None:
    a, b = simulate_session(42, "ENERGY_PIT"), simulate_session(42, "ENERGY_PIT")
    assert a.raw == b.raw and a.labels == b.labels and a.metadata == b.metadata
    assert simulate_session(43).raw != a.raw


def test_raw_and_normalised_agree_and_units_vary() -> None:
    units = set()
    for seed in range(12):
        s = simulate_session(seed)
        assert normalise(s.raw) == s.readings
        units |= {r["unit"] for r in s.raw}
        assert s.kind == "healthy" and s.labels == []
    assert {"Wh", "kWh", "W", "kW"} <= units


def test_hard_negatives_have_no_labels() -> None:
    for i, hn in enumerate(HARD_NEGATIVES):
        s = simulate_session(100 + i, hard_negative=hn)
        assert s.kind == "hard_negative" and s.labels == [] and len(s.readings) >= 3


def _inside(t: np.ndarray, lb, pad: float = 0.0) -> np.ndarray:  # type: ignore[no-untyped-def]
    return (t >= lb.start_ts - pad) & (t <= lb.end_ts + pad)


def visible(s: SimulatedSession) -> bool:
    """A physics check per category over the labelled window."""
    lb = s.labels[0]
    te, e = series(s, ENERGY)
    tp, p = series(s, POWER)
    ts, soc = series(s, SOC)
    de = np.diff(e)
    max_kw = float(s.metadata.get("maxPowerKw") or (p.max() if len(p) else 350.0))
    cat = lb.category
    if cat == "KWH_DECREASE":
        return bool((de < 0).any())
    if cat == "KWH_JUMP":
        return bool((de > 1.1 * 350.0 * np.diff(te) / 3600.0).any() or (de > max_kw * np.diff(te) / 3600.0 * 1.5).any())
    if cat == "ENERGY_PIT":
        return bool((de < 0).any())
    if cat == "ENERGY_STALL":
        w = _inside(te, lb)
        return bool(np.ptp(e[w][1:-1]) < 1e-6 if w.sum() > 2 else False) and bool(p[_inside(tp, lb)].max() > 0.5)
    if cat == "PHANTOM_ENERGY":
        w = _inside(te, lb)
        return bool(e[w][-1] - e[w][0] > 0.01 and p[_inside(tp, lb)].max() < 0.2)
    if cat == "POWER_ENERGY_MISMATCH":
        w = _inside(tp, lb)
        integ = np.trapz(p[w], tp[w]) / 3600.0
        we = _inside(te, lb)
        return bool(abs((e[we][-1] - e[we][0]) / max(integ, 1e-6) - 1.0) > 0.1)
    if cat == "POWER_SPIKE":
        return bool(p.max() > 1.3 * float(s.metadata.get("maxPowerKw") or 0.0) or p.max() > 3 * np.median(p))
    if cat == "CHARGING_INTERRUPTION":
        w = _inside(te, lb)
        return bool(e[w][-1] - e[w][0] < 0.02 * max(e[-1] - e[0], 1.0) + 0.01)
    if cat == "POWER_DERATING":
        w = _inside(te, lb)
        rate_in = (e[w][-1] - e[w][0]) / max(te[w][-1] - te[w][0], 1.0)
        rate_all = (e[-1] - e[0]) / (te[-1] - te[0])
        return bool(rate_in < 0.9 * rate_all) or bool(len(p) and p[_inside(tp, lb)].min() < 0.7 * p.max())
    if cat == "SOC_DROP":
        return bool((np.diff(soc) < 0).any())
    if cat == "SOC_JUMP":
        return bool((np.diff(soc) >= 4).any())
    if cat == "ZERO_ENERGY":
        return bool(e[-1] - e[0] < 0.5)
    if cat == "DATA_GAP":
        gaps = np.diff(clean(s.readings).all_ts)
        return bool(gaps.max() > 2.5 * np.median(gaps))
    raise AssertionError(cat)


@pytest.mark.parametrize("category", CATEGORIES)
def test_each_category_is_injected_and_visible(category: str) -> None:
    labelled = [s for s in (simulate_session(1000 + seed, category) for seed in range(30)) if s.labels]
    assert len(labelled) >= 4  # a fault the session's measurands cannot show is not labelled
    for s in labelled[:4]:
        assert s.kind == "anomalous" and [lb.category for lb in s.labels] == [category]
        lb = s.labels[0]
        t = [r.ts for r in s.readings]
        assert min(t) <= lb.start_ts <= lb.end_ts <= max(t) + 1
        assert visible(s), (category, s.seed, s.info)


def test_severities_cover_range() -> None:
    sev = {lb.severity for s in range(30) for lb in simulate_session(s, "POWER_SPIKE").labels}
    assert sev == {"subtle", "moderate", "severe"}


def test_label_units_on_grid() -> None:
    from models.simulator.session import Label

    lb = Label("DATA_GAP", 1000.0 + 125.0, 1000.0 + 300.0, "subtle")
    assert lb.units(1000.0, 60.0) == (2, 5)
    assert Label("X", 900.0, 950.0, "s").units(1000.0, 60.0) == (0, 0)


def test_isolated_drops_never_consecutive() -> None:
    from models.simulator.sampling import Measured, drop_isolated

    n = 400
    t = np.arange(n) * 10.0
    m = Measured(t, t.copy(), t.copy(), t.copy(), t.copy(), t.copy())
    out = drop_isolated(m, np.random.default_rng(1))
    assert len(out.t) < n and np.diff(out.t).max() <= 20.0 and out.t[0] == 0.0 and out.t[-1] == t[-1]


def test_every_hard_negative_and_category_has_hooks() -> None:
    from models.simulator.anomalies import GAP_INJECTORS, MEASURED_INJECTORS, PHYSICAL, PHYSICAL_PLANNERS
    from models.simulator.families import ANOMALY_FAMILIES, NO_ANOMALY, family_for
    from models.simulator.hard_negatives import HARD_NEGATIVE_ADJUSTERS, ORDINARY, adjuster_for

    assert tuple(HARD_NEGATIVE_ADJUSTERS) == HARD_NEGATIVES
    assert all(adjuster_for(hn) is not ORDINARY for hn in HARD_NEGATIVES) and adjuster_for(None) is ORDINARY
    assert set(ANOMALY_FAMILIES) == set(CATEGORIES) and family_for(None) is NO_ANOMALY
    assert set(PHYSICAL_PLANNERS) == PHYSICAL and not set(MEASURED_INJECTORS) & PHYSICAL
    assert set(MEASURED_INJECTORS) | PHYSICAL | {"DATA_GAP"} == set(CATEGORIES)
    assert set(GAP_INJECTORS) == {"gap"}  # resends and late delivery are wire habits, not faults


def test_peak_power_is_the_lower_of_charger_and_car() -> None:
    from models.simulator.chargers import Charger
    from models.simulator.physics import peak_power_kw
    from models.simulator.vehicles import Vehicle

    car = Vehicle(60.0, 11.0, 120.0, 60.0, 92.0, 0.9)
    assert peak_power_kw(car, Charger("AC", 3, 22.0, 230.0)) == 11.0
    assert peak_power_kw(car, Charger("DC", 1, 50.0, 400.0)) == 50.0
    assert peak_power_kw(car, Charger("DC", 1, 350.0, 800.0)) == 120.0


def test_forced_idle_tail_leaves_after_full() -> None:
    from models.simulator.physics import Plan, Trajectory
    from models.simulator.session import _choose_departure

    t = np.arange(0.0, 3600.0, 10.0)
    full = Trajectory(t=t, power=np.zeros_like(t), energy=np.zeros_like(t), soc=np.zeros_like(t), full_at_s=1800.0)
    for seed in range(20):
        plan = Plan(duration_s=3600.0, start_soc=20.0, target_soc=80.0)
        _choose_departure(np.random.default_rng(seed), plan, full, force_idle_tail=True)
        assert 1800.0 + 900.0 <= plan.duration_s <= 1800.0 + 7200.0


def test_hard_negative_hooks_shape_the_session() -> None:
    short = simulate_session(7, hard_negative="short_topup")
    coarse = simulate_session(7, hard_negative="coarse_sampling")
    low = simulate_session(7, hard_negative="low_power_vehicle")
    assert short.info["duration_s"] < 4 * 3600.0
    assert 600.0 <= coarse.info["interval_s"] <= 900.0
    assert low.info["current_type"] == "AC"


def test_an_unknown_hard_negative_is_refused_like_an_unknown_category() -> None:
    with pytest.raises(ValueError, match="hard negative"):
        simulate_session(1, hard_negative="no_such_thing")


def test_an_invisible_fault_is_not_labelled() -> None:
    from evwatch.domain.categories import observable
    from models.simulator.wire import evidence, values_from_readings

    seen_unobservable = False
    for seed in range(60):
        s = simulate_session(5000 + seed, "SOC_JUMP")
        shown = evidence(values_from_readings(s.readings))
        assert bool(s.labels) == observable("SOC_JUMP", shown)
        seen_unobservable |= not s.labels
    assert seen_unobservable  # SoC presence does not follow the label


def test_habits_are_drawn_for_every_kind_of_session() -> None:
    offsets = {
        kind: [bool(simulate_session(seed, cat).info["habits"].offsets_s) for seed in range(40)]
        for kind, cat in (("healthy", None), ("anomalous", "KWH_JUMP"))
    }
    assert 0.1 < np.mean(offsets["healthy"]) < 0.7 and 0.1 < np.mean(offsets["anomalous"]) < 0.7
