"""Station-day findings as rules about the data, each judged against the station's own history.

The type of a station anomaly is a statement about the data (a status report, one connector
quiet while the others work, energy outside sessions, the meter apart from the connectors, the
day's energy outside the station's usual range), so it is decided here, deterministically and
with its evidence, not by the network. `interpret` turns the findings into SHADE's verdict.
Pure functions over a `PreparedDay`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from models.shade.features import (
    PreparedDay,
    aligned,
    charging_minutes,
    moving_average,
    recent_days,
    same_kind_days,
)
from models.shade.schema import MINUTES, MINUTES_PER_BIN, PROFILE_BINS, History, StationDay

Evidence = dict[str, float | int | str]

# connector_outage. Maintenance blips last 5-30 minutes; an outage worth a finding lasts longer.
OUTAGE_MIN_MINUTES = 60
# A connector that reports nothing wrong but had no session for longer than on any of its recent
# days of the same kind, by this margin, while the other connectors delivered, is out.
SILENT_MIN_MINUTES = 240
SILENT_MARGIN_MINUTES = 120
OTHERS_MIN_SHARE = 0.7
# Less than this in a 15-minute bin is no session: register drift between sessions is a few Wh.
QUIET_BIN_KWH = 0.05

# Sessions arrive one by one: a window that usually sees few of them can be empty or crowded by
# chance. Its expected session count (usual kWh / typical session kWh) bounds how sure a finding
# can be; without enough of today's sessions to measure, typical AC / DC session energies.
MIN_SESSIONS_MEASURED = 3
SESSION_KWH_AC, SESSION_KWH_DC, DC_MIN_KW = 12.0, 30.0, 50.0
SILENT_MIN_EXPECTED_SESSIONS = 6.0

# idle_consumption: energy outside sessions at this rate (kWh per hour, i.e. kW) or more, during at
# least this many minutes within the stretch. Healthy register movement between sessions, spread
# over the gap by the pipeline, stays well below it.
IDLE_KWH_PER_HOUR = 0.2
IDLE_MIN_MINUTES = 30

# meter_mismatch: the meter against the station's usual meter = offset(time of day) + ratio x connectors.
METER_BLOCK_BINS = 12  # offsets per 3-hour block of the day (lighting, heating follow the clock)
METER_CHUNK_MINUTES = 60
METER_REL_TOL = 0.08
METER_SPREADS = 3.0  # plus this many of the station's own usual deviations in that block (kWh)
# Without a meter history the station's auxiliary load is unknown, so only a meter reading less
# than the connectors delivered through it (by this much) is certain to be wrong.
METER_UNDER_NO_HISTORY = 0.25
# A fit outside this ratio says more about the past days (too few, too alike) than about the meter.
METER_RATIO_RANGE = (0.9, 1.3)
METER_MIN_MINUTES = 120
MIN_METER_HISTORY_DAYS = 3
# A partial day's newest minutes may still miss the meter's next reading.
METER_LAG_MINUTES = 60
NO_HISTORY_RATIO = 1.015

# energy_drop / energy_surge: window energy against the station's recent days of the same kind.
MIN_PROFILE_HISTORY_DAYS = 3
PROFILE_WINDOW_BINS = (16, 32, PROFILE_BINS)  # 4 h, 8 h, the day
PROFILE_STEP_BINS = 4
PROFILE_Z = 3.0
# Past days never agree better than this in log energy (a handful of days understates the spread).
SIGMA_FLOOR = 0.2
COUNT_P = 1e-3
# Confirming a stretch another detector proposes takes less: the proposal is evidence of its own.
CONFIRM_Z = 2.0
CONFIRM_DROP_REL = 0.75
CONFIRM_SURGE_REL = 1.3
CONFIRM_P = 0.02
# ... or sessions that ran but drew at most this share of the station's usual power while charging.
DERATED_POWER = 0.4
MIN_CHARGING_MINUTES = 60
COUNT_DISPERSION = 1.2  # E[S^2] / E[S]^2 of session energies: a compound Poisson's extra spread
DROP_REL = 0.6
SURGE_REL = 1.5
# One more session than usual is never a surge, however quiet the window usually is.
SURGE_MIN_EXTRA_SESSIONS = 2.0

# Which finding names the day when several are raised: the more specific explanation first
# (idle energy also raises the station's total; a reported outage also lowers it).
PRIORITY = ("meter_mismatch", "idle_consumption", "connector_outage", "energy_drop", "energy_surge")
PROFILE_TYPES = frozenset({"energy_drop", "energy_surge"})


@dataclass(frozen=True)
class Finding:
    """One anomaly the data shows: its type, minutes, strength (>= 1: how far past its threshold)."""

    anomaly_type: str
    start_minute: int
    end_minute: int
    strength: float
    connector_id: str | None = None
    evidence: Evidence = field(default_factory=dict)


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous True runs of a boolean vector as (start, end-exclusive)."""
    padded = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))


def _longest(mask: np.ndarray) -> tuple[int, int]:
    found = runs(mask)
    return max(found, key=lambda r: r[1] - r[0]) if found else (0, 0)


def _run_length(run: tuple[int, int]) -> int:
    return run[1] - run[0]


def session_kwh(day: StationDay, history: History) -> float:
    """Typical energy of one session at this station: from its recent days when they counted
    sessions, else the median of today's sessions, else typical AC / DC session energies."""
    past = [p for p in recent_days(day, history) if p.sessions is not None]
    sessions = sum(float(np.asarray(p.sessions).sum()) for p in past if p.sessions is not None)
    if sessions >= MIN_SESSIONS_MEASURED:
        return max(sum(p.total_kwh for p in past) / sessions, 1.0)
    obs = day.minutes_observed
    energies = [
        float(day.energy_kwh[i, a:b].sum())
        for i in range(len(day.connector_ids))
        for a, b in runs(day.session_active[i, :obs])
    ]
    energies = [e for e in energies if e > QUIET_BIN_KWH]
    if len(energies) >= MIN_SESSIONS_MEASURED:
        return max(float(np.median(energies)), 1.0)
    if day.max_power_kw is not None and day.max_power_kw:
        rating = np.asarray(day.max_power_kw, dtype=np.float64)
    else:
        rating = day.energy_kwh[:, :obs].max(axis=1, initial=0.0) * 60.0
    dc = float(np.mean(rating >= DC_MIN_KW)) if rating.size else 0.0
    return SESSION_KWH_DC * dc + SESSION_KWH_AC * (1.0 - dc)


# ------------------------------------------------------------------ connector_outage


def reported_outages(day: StationDay) -> list[Finding]:
    """Connectors reported Faulted/Unavailable (or the whole station, connector 0) for long enough."""
    obs = day.minutes_observed
    out = []
    for i, cid in enumerate(day.connector_ids):
        a, b = _longest(~day.available[i, :obs].astype(bool))
        if b - a >= OUTAGE_MIN_MINUTES:
            evidence: Evidence = {"reason": "reported unavailable", "down_minutes": b - a}
            out.append(Finding("connector_outage", a, b, (b - a) / OUTAGE_MIN_MINUTES, cid, evidence))
    return out


def silent_outages(prepared: PreparedDay) -> list[Finding]:
    """A connector without sessions far longer than on its recent days while the others delivered."""
    day = prepared.day
    n = len(day.connector_ids)
    ref = same_kind_days(day, prepared.history, min_days=MIN_PROFILE_HISTORY_DAYS)
    if n < 2 or len(ref) < MIN_PROFILE_HISTORY_DAYS:
        return []
    obs = day.minutes_observed
    past = np.stack([aligned(p, day.connector_ids) for p in ref])  # [D, C, BINS]
    per_session = session_kwh(day, prepared.history)
    out = []
    for i, cid in enumerate(day.connector_ids):
        quiet = ~day.session_active[i, :obs].astype(bool) & (day.energy_kwh[i, :obs] < QUIET_BIN_KWH / MINUTES_PER_BIN)
        a, b = _longest(quiet)
        usual_minutes = MINUTES_PER_BIN * max(_run_length(_longest(row < QUIET_BIN_KWH)) for row in past[:, i])
        needed = max(SILENT_MIN_MINUTES, usual_minutes + SILENT_MARGIN_MINUTES)
        if b - a < needed:
            continue
        expected_sessions = float(prepared.expected_connector_kwh[i, a:b].sum()) / per_session
        if expected_sessions < SILENT_MIN_EXPECTED_SESSIONS:
            continue  # a quiet connector that usually sees a few sessions then: chance, not an outage
        others = [j for j in range(n) if j != i]
        expected_others = float(prepared.expected_connector_kwh[others, a:b].sum())
        actual_others = float(day.energy_kwh[others, a:b].sum())
        if expected_others > 0 and actual_others < OTHERS_MIN_SHARE * expected_others:
            continue  # the whole station was quiet: a drop, not this connector
        evidence: Evidence = {
            "reason": "no sessions while the other connectors delivered",
            "quiet_minutes": b - a,
            "longest_recent_quiet_minutes": int(usual_minutes),
            "expected_sessions": round(expected_sessions, 1),
            "others_share_of_usual": round(actual_others / expected_others, 3) if expected_others > 0 else 1.0,
        }
        out.append(Finding("connector_outage", a, b, (b - a) / needed, cid, evidence))
    return out


# ------------------------------------------------------------------ idle_consumption


def idle_findings(prepared: PreparedDay) -> list[Finding]:
    """Connectors drawing energy outside sessions at a sustained rate, for IDLE_MIN_MINUTES or more."""
    day = prepared.day
    obs = day.minutes_observed
    out = []
    for i, cid in enumerate(day.connector_ids):
        idle = prepared.idle_kwh[i, :obs]
        hourly = moving_average(idle, 60) * 60.0
        drawing = idle * 60.0 >= IDLE_KWH_PER_HOUR
        found = [(a, b) for a, b in runs(hourly >= IDLE_KWH_PER_HOUR) if drawing[a:b].sum() >= IDLE_MIN_MINUTES]
        if not found:
            continue
        a, b = max(found, key=lambda r: float(idle[r[0] : r[1]].sum()))
        evidence: Evidence = {
            "idle_kwh": round(float(idle[a:b].sum()), 3),
            "idle_minutes": int(drawing[a:b].sum()),
            "peak_idle_kw": round(float(hourly[a:b].max()), 3),
        }
        out.append(Finding("idle_consumption", a, b, float(hourly[a:b].max()) / IDLE_KWH_PER_HOUR, cid, evidence))
    return out


# ------------------------------------------------------------------ meter_mismatch


@dataclass(frozen=True)
class MeterBaseline:
    """The station's usual meter: offset kWh per minute (auxiliary load) + ratio x connector kWh.

    `tolerance` is the relative deviation a stretch may show; `spread_kwh` per minute of the day
    is how far the station's own past days strayed from the fit in that 3-hour block (lighting
    switched on earlier or later, a meter that reports hourly across a block's edge).
    """

    offset_per_minute: np.ndarray  # [MINUTES]
    ratio: float
    tolerance: float
    spread_kwh: np.ndarray  # [MINUTES]
    history_days: int


def meter_baseline(prepared: PreparedDay) -> MeterBaseline | None:
    """Fit the station's meter from its past days: robust least squares on 3-hour blocks."""
    day = prepared.day
    days = [p for p in recent_days(day, prepared.history) if p.meter_kwh is not None]
    if len(days) < MIN_METER_HISTORY_DAYS:
        return None
    n_blocks = PROFILE_BINS // METER_BLOCK_BINS
    x_rows, y_rows = [], []
    for p in days:
        assert p.meter_kwh is not None
        conn = np.asarray(p.energy_kwh, dtype=np.float64).sum(axis=0).reshape(n_blocks, METER_BLOCK_BINS).sum(axis=1)
        meter = np.asarray(p.meter_kwh, dtype=np.float64).reshape(n_blocks, METER_BLOCK_BINS).sum(axis=1)
        x_rows.append(np.column_stack([np.eye(n_blocks), conn]))
        y_rows.append(meter)
    x, y = np.concatenate(x_rows), np.concatenate(y_rows)
    keep = np.ones(len(y), dtype=bool)
    coef = np.zeros(n_blocks + 1)
    # Least squares, then again without the blocks it fits worst (a bad past day, a glitch).
    for _ in range(2):
        coef = np.linalg.lstsq(x[keep], y[keep], rcond=None)[0]
        res = y - x @ coef
        scale = 1.4826 * float(np.median(np.abs(res[keep]))) + 1e-6
        keep = np.abs(res) <= 3.0 * scale
    res = (y - x @ coef).reshape(len(days), n_blocks)
    spread = 1.4826 * np.median(np.abs(res), axis=0)  # [n_blocks]
    block = METER_BLOCK_BINS * MINUTES_PER_BIN
    return MeterBaseline(
        offset_per_minute=np.repeat(np.clip(coef[:n_blocks], 0.0, None) / block, block),
        ratio=float(coef[n_blocks]),
        tolerance=METER_REL_TOL,
        spread_kwh=np.repeat(spread, block),
        history_days=len(days),
    )


def _no_history_baseline() -> MeterBaseline:
    """A new station: the meter must at least see what the connectors delivered through it."""
    return MeterBaseline(np.zeros(MINUTES), 1.0, METER_UNDER_NO_HISTORY, np.zeros(MINUTES), 0)


def reading_chunks(meter: np.ndarray, min_minutes: int = METER_CHUNK_MINUTES) -> list[tuple[int, int]]:
    """Consecutive stretches of at least `min_minutes` that start and end at the meter's readings.

    The pipeline spreads each register delta evenly over the minutes since the previous reading,
    so a reading shows as a step in the minute series; comparing whole reading intervals with the
    connectors keeps the meter's cadence (every minute, every 15 minutes, hourly) out of the result.
    """
    if meter.size == 0:
        return []
    steps = np.flatnonzero(~np.isclose(meter[1:], meter[:-1], rtol=1e-9, atol=1e-12)) + 1
    bounds = [0, *steps.tolist(), meter.size]
    chunks: list[tuple[int, int]] = []
    start = 0
    for b in bounds[1:]:
        if b - start >= min_minutes:
            chunks.append((start, b))
            start = b
    if start < meter.size:
        if chunks:
            chunks[-1] = (chunks[-1][0], meter.size)
        else:
            chunks.append((start, meter.size))
    return chunks


def meter_findings(prepared: PreparedDay) -> list[Finding]:
    """The station meter apart from the station's usual meter-vs-connectors relation for long enough."""
    day = prepared.day
    if day.station_meter_kwh is None:
        return []
    obs = day.minutes_observed if day.minutes_observed >= MINUTES else day.minutes_observed - METER_LAG_MINUTES
    if obs < METER_MIN_MINUTES:
        return []
    meter = np.asarray(day.station_meter_kwh[:obs], dtype=np.float64)
    conn = prepared.actual_total_kwh[:obs]
    base = meter_baseline(prepared)
    if base is None or not METER_RATIO_RANGE[0] <= base.ratio <= METER_RATIO_RANGE[1]:
        base = _no_history_baseline()
    flagged: list[tuple[int, int, float]] = []
    for a, b in reading_chunks(meter):
        pred = float(base.offset_per_minute[a:b].sum()) + base.ratio * float(conn[a:b].sum())
        diff = float(meter[a:b].sum()) - pred
        if base.history_days == 0 and diff > 0:
            continue  # an unknown auxiliary load explains any excess
        if abs(diff) > base.tolerance * pred + METER_SPREADS * float(base.spread_kwh[a:b].max()):
            flagged.append((a, b, diff / max(pred, 1e-3)))
    # Consecutive flagged chunks that deviate the same way form one stretch.
    stretches: list[list[tuple[int, int, float]]] = []
    for chunk in flagged:
        last = stretches[-1][-1] if stretches else None
        if last is not None and last[1] == chunk[0] and (last[2] > 0) == (chunk[2] > 0):
            stretches[-1].append(chunk)
        else:
            stretches.append([chunk])
    out = []
    for s in stretches:
        a, b = s[0][0], s[-1][1]
        if b - a < METER_MIN_MINUTES:
            continue
        pred = float(base.offset_per_minute[a:b].sum()) + base.ratio * float(conn[a:b].sum())
        rel = (float(meter[a:b].sum()) - pred) / max(pred, 1e-3)
        evidence: Evidence = {
            "meter_kwh": round(float(meter[a:b].sum()), 3),
            "expected_meter_kwh": round(pred, 3),
            "relative_difference": round(rel, 4),
            "usual_ratio": round(base.ratio, 4),
            "tolerance": round(base.tolerance, 4),
            "meter_history_days": base.history_days,
        }
        out.append(Finding("meter_mismatch", a, b, abs(rel) / base.tolerance, None, evidence))
    return out


# ------------------------------------------------------------------ energy_drop / energy_surge


def _gamma_p(a: float, x: float) -> float:
    """Regularised lower incomplete gamma P(a, x) (series below a + 1, continued fraction above)."""
    if x <= 0.0:
        return 0.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1.0:
        term = total = 1.0 / a
        k = a
        for _ in range(500):
            k += 1.0
            term *= x / k
            total += term
            if abs(term) < abs(total) * 1e-12:
                break
        return min(1.0, total * math.exp(log_front))
    # Lentz's continued fraction for Q(a, x).
    tiny = 1e-300
    b = x + 1.0 - a
    c, d = 1.0 / tiny, 1.0 / b
    h = d
    for i in range(1, 500):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-12:
            break
    return max(0.0, 1.0 - math.exp(log_front) * h)


def poisson_sf_at_least(n: float, lam: float) -> float:
    """P(N >= n) for N ~ Poisson(lam), continuous in n (n <= 0 is certain)."""
    return 1.0 if n <= 0.0 else _gamma_p(n, lam)


def poisson_cdf_at_most(n: float, lam: float) -> float:
    """P(N <= n) for N ~ Poisson(lam), continuous in n."""
    return 1.0 - _gamma_p(n + 1.0, lam) if lam > 0.0 else 1.0


@dataclass(frozen=True)
class WindowStat:
    """A window of the day against the same window of the station's recent same-kind days."""

    start_minute: int
    end_minute: int
    actual_kwh: float
    usual_kwh: float  # median of the past days
    robust_z: float  # log energy against the past days, in robust standard deviations
    ratio: float  # today / usual (both with the quiet-window floor added)
    p_low: float  # Poisson chance of this few sessions or fewer
    p_high: float  # ... of this many or more
    above_all: bool  # more than on every one of the past days
    usual_min_kwh: float
    usual_max_kwh: float
    expected_sessions: float
    reference_days: int
    extra_sessions: float = 0.0  # (today - mean of the past days) in typical sessions

    def evidence(self, p: float) -> Evidence:
        """The numbers a finding on this window is based on."""
        return {
            "robust_z": round(self.robust_z, 2),
            "ratio_to_usual": round(self.ratio, 3),
            "window_kwh": round(self.actual_kwh, 3),
            "usual_window_kwh": round(self.usual_kwh, 3),
            "count_p": float(f"{p:.3g}"),
            "expected_sessions": round(self.expected_sessions, 1),
            "reference_days": self.reference_days,
        }


@dataclass(frozen=True)
class _Reference:
    past: np.ndarray  # [D, BINS] station energy of the reference days
    today: np.ndarray  # [observed bins]
    daily: float
    per_session: float


def _reference(prepared: PreparedDay) -> _Reference | None:
    day = prepared.day
    ref = same_kind_days(day, prepared.history, min_days=MIN_PROFILE_HISTORY_DAYS)
    if len(ref) < MIN_PROFILE_HISTORY_DAYS:
        return None
    past = np.stack([aligned(p, day.connector_ids).sum(axis=0) for p in ref])  # [D, BINS]
    n_bins = day.minutes_observed // MINUTES_PER_BIN
    today = prepared.actual_total_kwh[: n_bins * MINUTES_PER_BIN].reshape(n_bins, MINUTES_PER_BIN).sum(axis=1)
    return _Reference(past, today, float(past.sum(axis=1).mean()), session_kwh(day, prepared.history))


def _window_stat(ref: _Reference, s: int, e: int) -> WindowStat:
    """Bins [s, e) of today against the same bins of the reference days."""
    actual = float(ref.today[s:e].sum())
    usual = ref.past[:, s:e].sum(axis=1)
    # A floor keeps quiet night windows (a few kWh either way) from looking extreme.
    eps = 0.05 * ref.daily * (e - s) / PROFILE_BINS + 0.1
    logs = np.log(usual + eps)
    median = float(np.median(logs))
    # Day-to-day: robust z of log energy against the past days (MAD, floored).
    sigma = max(1.4826 * float(np.median(np.abs(logs - median))), SIGMA_FLOOR)
    # Sessions arrive one by one: how likely is today's count of sessions (energy / typical
    # session) given the usual one, in a Poisson model scaled for unequal session energies. The
    # rate is the mean of the past days (their median is zero for a window that sees a session
    # every few days, which would make any one session look impossible).
    expected = (float(usual.mean()) + eps) / ref.per_session
    lam, count = expected / COUNT_DISPERSION, (actual + eps) / ref.per_session / COUNT_DISPERSION
    return WindowStat(
        start_minute=s * MINUTES_PER_BIN,
        end_minute=e * MINUTES_PER_BIN,
        actual_kwh=actual,
        usual_kwh=float(np.exp(median)) - eps,
        robust_z=(float(np.log(actual + eps)) - median) / sigma,
        ratio=float(np.exp(np.log(actual + eps) - median)),
        p_low=poisson_cdf_at_most(count, lam),
        p_high=poisson_sf_at_least(count, lam),
        above_all=actual > float(usual.max()),
        usual_min_kwh=float(usual.min()),
        usual_max_kwh=float(usual.max()),
        expected_sessions=expected,
        reference_days=len(ref.past),
        extra_sessions=(actual - float(usual.mean())) / ref.per_session,
    )


def window_stats(prepared: PreparedDay) -> list[WindowStat]:
    """Every 4-hour, 8-hour and whole-day window (hourly steps) of the observed day, or none
    without MIN_PROFILE_HISTORY_DAYS recent days (same kind of day when there are that many)."""
    ref = _reference(prepared)
    if ref is None:
        return []
    n_bins = len(ref.today)
    return [
        _window_stat(ref, s, s + length)
        for length in PROFILE_WINDOW_BINS
        if length <= n_bins
        for s in sorted({*range(0, n_bins - length + 1, PROFILE_STEP_BINS), n_bins - length})
    ]


def stretch_stat(prepared: PreparedDay, start_minute: int, end_minute: int) -> WindowStat | None:
    """The same comparison for any stretch of the observed day (whole 15-minute bins)."""
    ref = _reference(prepared)
    if ref is None:
        return None
    s = start_minute // MINUTES_PER_BIN
    e = min(max(s + 1, -(-end_minute // MINUTES_PER_BIN)), len(ref.today))
    return _window_stat(ref, s, e) if e > s else None


def is_drop(w: WindowStat) -> bool:
    """Far below the station's usual energy for the window, beyond its day-to-day and chance variation."""
    return w.robust_z <= -PROFILE_Z and w.p_low <= COUNT_P and w.ratio <= DROP_REL


def is_surge(w: WindowStat) -> bool:
    """Far above it, and above every recent same-kind day: a busy ordinary day is not a surge."""
    return (
        w.robust_z >= PROFILE_Z
        and w.p_high <= COUNT_P
        and w.ratio >= SURGE_REL
        and w.above_all
        and w.extra_sessions >= SURGE_MIN_EXTRA_SESSIONS
    )


def _profile_strength(z: float, p: float) -> float:
    return min(abs(z) / PROFILE_Z, math.log(max(p, 1e-300)) / math.log(COUNT_P))


def profile_findings(prepared: PreparedDay) -> list[Finding]:
    """The strongest drop window and the strongest surge window of the day, if any."""
    out = []
    stats = window_stats(prepared)
    for kind, test in (("energy_drop", is_drop), ("energy_surge", is_surge)):
        hits = [w for w in stats if test(w)]
        if not hits:
            continue
        p_of = (lambda w: w.p_low) if kind == "energy_drop" else (lambda w: w.p_high)
        w = max(hits, key=lambda w: _profile_strength(w.robust_z, p_of(w)))
        strength = _profile_strength(w.robust_z, p_of(w))
        out.append(Finding(kind, w.start_minute, w.end_minute, strength, None, w.evidence(p_of(w))))
    return out


# ------------------------------------------------------------------ all together


def _overlaps(a: Finding, b: Finding) -> bool:
    return a.start_minute < b.end_minute and b.start_minute < a.end_minute


def usual_power_kw(prepared: PreparedDay) -> float | None:
    """The station's usual power while charging (kWh per charging minute x 60), from its recent days."""
    past = [p for p in recent_days(prepared.day, prepared.history) if p.charging_minutes is not None]
    minutes = sum(float(np.asarray(p.charging_minutes).sum()) for p in past if p.charging_minutes is not None)
    if minutes < MIN_CHARGING_MINUTES * MIN_PROFILE_HISTORY_DAYS:
        return None
    return sum(p.total_kwh for p in past) / minutes * 60.0


def derated(prepared: PreparedDay, start_minute: int, end_minute: int) -> float | None:
    """Today's power while charging in the stretch relative to the station's usual, when measurable.

    A derated station (load management stuck low, a failing power module) still has its sessions,
    they just deliver little: the session count cannot show that, the power while active can.
    """
    usual = usual_power_kw(prepared)
    day = prepared.day
    end = min(end_minute, day.minutes_observed)
    charging = charging_minutes(day.energy_kwh[:, start_minute:end], day.session_active[:, start_minute:end])
    minutes = float(charging.sum())
    if usual is None or usual <= 0 or minutes < MIN_CHARGING_MINUTES:
        return None
    return float(day.energy_kwh[:, start_minute:end][charging].sum()) / minutes * 60.0 / usual


def confirm_stretch(prepared: PreparedDay, start_minute: int, end_minute: int, shortfall: bool) -> Finding | None:
    """A drop or surge another detector (the network) proposes for a stretch, if the station's own
    days agree: further from them than CONFIRM_Z robust deviations, the right way, by enough (and a
    surge above every one of them)."""
    w = stretch_stat(prepared, start_minute, end_minute)
    if w is None:
        return None
    power = derated(prepared, start_minute, end_minute) if shortfall else None
    slow = power is not None and power <= DERATED_POWER
    if shortfall and w.robust_z <= -CONFIRM_Z and w.ratio <= CONFIRM_DROP_REL and (w.p_low <= CONFIRM_P or slow):
        kind, p = "energy_drop", w.p_low
    elif (
        not shortfall
        and w.robust_z >= CONFIRM_Z
        and w.ratio >= CONFIRM_SURGE_REL
        and w.above_all
        and w.p_high <= CONFIRM_P
    ):
        kind, p = "energy_surge", w.p_high
    else:
        return None
    evidence: Evidence = {**w.evidence(p), "proposed_by": "network"}
    if power is not None:
        evidence["power_while_charging_to_usual"] = round(power, 3)
    return Finding(kind, w.start_minute, w.end_minute, abs(w.robust_z) / CONFIRM_Z, None, evidence)


def findings(prepared: PreparedDay, proposed: Sequence[Finding] = ()) -> list[Finding]:
    """Every finding of the day, the one that names the day first.

    `proposed` are confirmed drops/surges from elsewhere (see `confirm_stretch`); of two of the
    same type the stronger stays. A drop that overlaps an outage is the outage's shortfall, not a
    second anomaly.
    """
    outages = reported_outages(prepared.day)
    reported = {f.connector_id for f in outages}
    outages += [f for f in silent_outages(prepared) if f.connector_id not in reported]
    best: dict[str, Finding] = {}
    for f in [*profile_findings(prepared), *proposed]:
        if f.anomaly_type not in best or f.strength > best[f.anomaly_type].strength:
            best[f.anomaly_type] = f
    profile = [f for f in best.values() if f.anomaly_type != "energy_drop" or not any(_overlaps(f, o) for o in outages)]
    found = meter_findings(prepared) + idle_findings(prepared) + outages + profile
    return sorted(found, key=lambda f: (PRIORITY.index(f.anomaly_type), -f.strength))
