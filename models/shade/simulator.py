"""Station-day simulator: sessions with plausible power curves, weekday/weekend demand, labelled anomalies."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from evwatch.domain.categories import STATION_ANOMALY_TYPES
from models.shade.schema import MAX_CONNECTORS, MINUTES, StationDay

DAY_S = 86_400
# A Monday at 00:00 UTC, so day index 0 is a Monday and weekends are days 5 and 6 mod 7.
EPOCH_MONDAY = 1_767_571_200  # 2026-01-05T00:00:00Z
# Reporting intervals of station meters seen in OCPP backends (MeterValueSampleInterval).
METER_INTERVALS_MIN = (1, 5, 10, 15, 15, 15, 30, 60)


@dataclass(frozen=True)
class StationSpec:
    """Static facts of a simulated station."""

    connector_ids: tuple[str, ...]
    max_power_kw: tuple[float, ...]
    dc: tuple[bool, ...]
    sessions_per_day: tuple[float, ...]  # mean sessions per connector on a weekday
    has_station_meter: bool
    standby_kw: float  # station's own consumption, seen only by the station meter
    meter_loss: float  # conversion loss between the station meter and the connectors
    # How often the station meter (connector 0) reports its register; the pipeline spreads each
    # delta evenly over the interval, so the meter's minutes are flat steps of this length.
    meter_interval_min: int = 15
    # Lighting and heating switched on in the dark hours: auxiliary load only the meter sees.
    night_kw: float = 0.0
    # Largest register movement between two sessions of a connector (end-of-session readings lag,
    # electronics draw a little); the pipeline spreads it over the gap as idle energy.
    idle_drift_kwh: float = 0.02


@dataclass(frozen=True)
class AnomalySpan:
    """Ground truth: one injected anomaly and the minutes it covers."""

    anomaly_type: str
    start_minute: int
    end_minute: int  # exclusive
    severity: float
    connector_index: int | None = None


@dataclass(frozen=True)
class SimulatedDay:
    """A simulated station-day with its labels."""

    day: StationDay
    minute_labels: np.ndarray  # [MINUTES] int: 0 normal, 1 + STATION_ANOMALY_TYPES index
    anomalies: tuple[AnomalySpan, ...]

    @property
    def label(self) -> str | None:
        """The day's anomaly type, or None for a healthy day."""
        return self.anomalies[0].anomaly_type if self.anomalies else None


def random_station(rng: np.random.Generator, n_connectors: int | None = None) -> StationSpec:
    """Draw a station: 1-8 AC or DC connectors, demand level, optional station meter."""
    n = int(n_connectors or rng.integers(1, MAX_CONNECTORS + 1))
    dc_station = rng.random() < 0.4
    powers: list[float] = []
    dcs: list[bool] = []
    rates: list[float] = []
    for _ in range(n):
        is_dc = dc_station and rng.random() < 0.9
        powers.append(float(rng.choice([50.0, 150.0, 300.0]) if is_dc else rng.choice([7.4, 11.0, 22.0])))
        dcs.append(is_dc)
        rates.append(float(rng.uniform(6, 22) if is_dc else rng.uniform(2, 7)))
    return StationSpec(
        connector_ids=tuple(str(i + 1) for i in range(n)),
        max_power_kw=tuple(powers),
        dc=tuple(dcs),
        sessions_per_day=tuple(rates),
        has_station_meter=bool(rng.random() < 0.6),
        standby_kw=float(rng.uniform(0.1, 1.5)),
        meter_loss=float(rng.uniform(0.0, 0.03)),
        meter_interval_min=int(rng.choice(METER_INTERVALS_MIN)),
        night_kw=float(rng.choice([0.0, rng.uniform(0.05, 0.6)])),
        idle_drift_kwh=float(rng.uniform(0.0, 0.03)),
    )


def _arrival_profile(weekend: bool) -> np.ndarray:
    """Relative arrival intensity per minute (mean 1): commuter peaks on weekdays, midday on weekends."""
    t = np.arange(MINUTES) / 60.0
    if weekend:
        shape = 0.15 + np.exp(-0.5 * ((t - 13.0) / 3.5) ** 2)
    else:
        shape = 0.1 + 0.9 * np.exp(-0.5 * ((t - 8.5) / 1.5) ** 2) + np.exp(-0.5 * ((t - 18.0) / 2.0) ** 2)
        shape += 0.4 * np.exp(-0.5 * ((t - 12.5) / 1.5) ** 2)
    return shape / shape.mean()


def _session_power(rng: np.random.Generator, max_kw: float, is_dc: bool) -> tuple[float, float]:
    """(Vehicle-limited power, energy wanted) for one session."""
    if is_dc:
        vehicle_kw = float(rng.choice([50.0, 100.0, 150.0, 250.0]))
        wanted = float(rng.uniform(12, 60))
    else:
        vehicle_kw = float(rng.choice([3.7, 7.4, 11.0, 22.0]))
        wanted = float(rng.uniform(4, 35))
    return min(max_kw, vehicle_kw) * float(rng.uniform(0.85, 1.0)), wanted


def _fill_session(
    energy: np.ndarray,
    active: np.ndarray,
    start: int,
    power_kw: float,
    wanted: float,
    is_dc: bool,
    rng: np.random.Generator,
) -> int:
    """Write one CC-CV session into a connector's minute arrays; returns the first free minute."""
    delivered = 0.0
    m = start
    while m < MINUTES and delivered < wanted:
        frac = delivered / wanted
        # CC up to ~80 % of the wanted energy, then a linear taper (CV phase).
        taper = 1.0 if frac < 0.8 else max(0.15, 1.0 - (frac - 0.8) / 0.2 * 0.85)
        kwh = power_kw * taper / 60.0 * float(rng.normal(1.0, 0.01))
        kwh = min(kwh, wanted - delivered + 1e-6)
        energy[m] += kwh
        active[m] = True
        delivered += kwh
        m += 1
    # AC cars often stay plugged in after they are full (SuspendedEV): active, no energy.
    if not is_dc and rng.random() < 0.5:
        dwell = int(rng.integers(5, 120))
        active[m : m + dwell] = True
        m += dwell
    return min(m + int(rng.integers(1, 10)), MINUTES)


def _simulate_connector(
    rng: np.random.Generator,
    spec: StationSpec,
    i: int,
    rate_per_minute: np.ndarray,
    energy: np.ndarray,
    active: np.ndarray,
    power_scale: float = 1.0,
) -> None:
    arrivals = np.flatnonzero(rng.random(MINUTES) < rate_per_minute)
    free_at = 0
    for start in arrivals:
        if start < free_at or active[start]:
            continue
        power, wanted = _session_power(rng, spec.max_power_kw[i], spec.dc[i])
        free_at = _fill_session(energy, active, int(start), power * power_scale, wanted, spec.dc[i], rng)


def _add_idle_drift(
    rng: np.random.Generator, drift_kwh: float, energy: np.ndarray, active: np.ndarray, available: np.ndarray
) -> None:
    """Small register movement between sessions, spread evenly over the gap as the pipeline does."""
    if drift_kwh <= 0.0 or not active.any():
        return
    padded = np.concatenate([[False], ~active & available, [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    for a, b in zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True):
        energy[a:b] += float(rng.uniform(0.0, drift_kwh)) / (b - a)


def _auxiliary_kw(spec: StationSpec, rng: np.random.Generator) -> np.ndarray:
    """Per-minute load behind the station meter besides the connectors: standby electronics all day,
    lighting/heating in the dark hours (dusk varies a little from day to day)."""
    t = np.arange(MINUTES) / 60.0
    dusk, dawn = 17.0 + float(rng.normal(0.0, 0.3)), 7.0 + float(rng.normal(0.0, 0.3))
    dark = (t >= dusk) | (t < dawn)
    return spec.standby_kw * float(rng.normal(1.0, 0.03)) + spec.night_kw * dark


def _at_cadence(meter: np.ndarray, interval: int, phase: int) -> np.ndarray:
    """The meter as the pipeline sees it: a register read every `interval` minutes (first read at
    minute `phase`), each delta spread evenly over the minutes since the previous read."""
    if interval <= 1:
        return meter
    out = np.empty_like(meter)
    bounds = [0, *range(phase if phase > 0 else interval, MINUTES, interval), MINUTES]
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        if b > a:
            out[a:b] = meter[a:b].mean()
    return out


def _window(
    rng: np.random.Generator, min_len: int, max_len: int, earliest: int = 0, latest_start: int = MINUTES
) -> tuple[int, int]:
    length = int(rng.integers(min_len, max_len + 1))
    start = int(rng.integers(earliest, max(earliest + 1, min(latest_start, MINUTES - length) + 1)))
    return start, min(MINUTES, start + length)


def simulate_day(
    spec: StationSpec,
    day_index: int,
    seed: int,
    anomaly: str | None = None,
    severity: float | None = None,
    tz: str = "UTC",
) -> SimulatedDay:
    """Simulate one station-day, deterministic in (spec, day_index, seed, anomaly, severity)."""
    rng = np.random.default_rng([seed, day_index, STATION_ANOMALY_TYPES.index(anomaly) + 1 if anomaly else 0])
    n = len(spec.connector_ids)
    weekend = day_index % 7 >= 5
    profile = _arrival_profile(weekend)
    day_mult = float(rng.lognormal(0.0, 0.15)) * (0.8 if weekend else 1.0)
    energy = np.zeros((n, MINUTES))
    active = np.zeros((n, MINUTES), dtype=bool)
    available = np.ones((n, MINUTES), dtype=bool)
    labels = np.zeros(MINUTES, dtype=np.int64)
    spans: list[AnomalySpan] = []
    # Always draw, so a given severity does not shift the rest of the day's random stream.
    drawn = float(rng.uniform(0.0, 1.0))
    sev = float(severity) if severity is not None else drawn

    drop_window: tuple[int, int] | None = None
    mismatch_window: tuple[int, int] | None = None
    drop_factor = 1.0
    if anomaly == "energy_drop":
        drop_window = _window(rng, 240, 720, earliest=360, latest_start=1080)
        drop_factor = 0.6 - 0.55 * sev  # 60 % .. 5 % of normal energy is left
    # A surge is either many more sessions than usual (an event nearby, a free-charging promotion)
    # or every connector held at full power (fleet depot, a fault in load management).
    crowd_window: tuple[int, int] | None = None
    crowd_factor = 1.0
    if anomaly == "energy_surge" and rng.random() < 0.5:
        crowd_window = _window(rng, 240, 720, earliest=360, latest_start=1080)
        crowd_factor = 2.2 + 1.8 * sev

    for i in range(n):
        rate = spec.sessions_per_day[i] * day_mult * profile / MINUTES
        if drop_window is not None and rng.random() < 0.5:
            # Demand collapse (site blocked, app outage): fewer sessions start in the window.
            a, b = drop_window
            rate = rate.copy()
            rate[a:b] *= drop_factor
            _simulate_connector(rng, spec, i, rate, energy[i], active[i])
        elif crowd_window is not None:
            a, b = crowd_window
            rate = rate.copy()
            rate[a:b] *= crowd_factor
            _simulate_connector(rng, spec, i, rate, energy[i], active[i])
        else:
            _simulate_connector(rng, spec, i, rate, energy[i], active[i])
        # Healthy days see short maintenance blips now and then.
        if rng.random() < 0.05:
            a, b = _window(rng, 5, 30)
            available[i, a:b] = False
            energy[i, a:b] = 0.0
            active[i, a:b] = False

    for i in range(n):
        _add_idle_drift(rng, spec.idle_drift_kwh, energy[i], active[i], available[i])

    if drop_window is not None:
        a, b = drop_window
        # Derating (power limited) on top of, or instead of, fewer sessions.
        energy[:, a:b] *= drop_factor
        labels[a:b] = 1
        spans.append(AnomalySpan("energy_drop", a, b, sev))
    elif crowd_window is not None:
        a, b = crowd_window
        labels[a:b] = 2
        spans.append(AnomalySpan("energy_surge", a, b, sev))
    elif anomaly == "energy_surge":
        a, b = _window(rng, 120, 420, earliest=0)
        busy_prob = 0.5 + 0.5 * sev
        for i in range(n):
            if rng.random() > busy_prob:
                continue
            kw = spec.max_power_kw[i] * float(rng.uniform(0.8, 1.0))
            energy[i, a:b] = np.maximum(energy[i, a:b], kw / 60.0 * rng.normal(1.0, 0.02, b - a))
            active[i, a:b] = True
        labels[a:b] = 2
        spans.append(AnomalySpan("energy_surge", a, b, sev))
    elif anomaly == "connector_outage":
        # The busiest connector is the one whose loss shows.
        i = int(np.argmax(np.asarray(spec.sessions_per_day) * np.asarray(spec.max_power_kw) ** 0.5))
        a, b = _window(rng, int(240 + 600 * sev), int(360 + 1080 * sev), earliest=0, latest_start=1000)
        energy[i, a:b] = 0.0
        active[i, a:b] = False
        # Reported Faulted/Unavailable, or silent. A silent outage of a station's only connector
        # looks exactly like a drop in demand, so it is simulated as reported there.
        if n == 1 or rng.random() < 0.7:
            available[i, a:b] = False
        labels[a:b] = 3
        spans.append(AnomalySpan("connector_outage", a, b, sev, connector_index=i))
    elif anomaly == "idle_consumption":
        i = int(rng.integers(0, n))
        a, b = _window(rng, 60, 600)
        kw = 0.3 + 4.7 * sev
        idle = ~active[i, a:b] & available[i, a:b]
        energy[i, a:b] += np.where(idle, kw / 60.0 * rng.normal(1.0, 0.05, b - a), 0.0)
        labels[a:b] = np.where(idle, 4, labels[a:b])
        spans.append(AnomalySpan("idle_consumption", a, b, sev, connector_index=i))
    elif anomaly == "meter_mismatch" and spec.has_station_meter:
        mismatch_window = _window(rng, 180, MINUTES)  # applied to the meter below
    elif anomaly is not None and anomaly != "meter_mismatch":
        msg = f"unknown anomaly type {anomaly!r}"
        raise ValueError(msg)

    meter: np.ndarray | None = None
    if spec.has_station_meter:
        meter = energy.sum(axis=0) * (1.0 + spec.meter_loss) + _auxiliary_kw(spec, rng) / 60.0
        meter = meter * rng.normal(1.0, 0.005, MINUTES)
        if mismatch_window is not None:
            a, b = mismatch_window
            mode = rng.random()
            if mode < 0.15:
                meter[a:b] = 0.0  # frozen register
            else:
                off = 0.15 + 0.45 * sev
                meter[a:b] *= (1.0 - off) if mode < 0.6 else (1.0 + off)
            labels[a:b] = 5
            spans.append(AnomalySpan("meter_mismatch", a, b, sev))
        meter = _at_cadence(meter, spec.meter_interval_min, int(rng.integers(0, spec.meter_interval_min)))

    day = StationDay(
        day_start=EPOCH_MONDAY + day_index * DAY_S,
        tz=tz,
        connector_ids=spec.connector_ids,
        energy_kwh=np.clip(energy, 0.0, None),
        session_active=active,
        available=available,
        station_meter_kwh=None if meter is None else np.clip(meter, 0.0, None),
        max_power_kw=spec.max_power_kw,
    )
    return SimulatedDay(day=day, minute_labels=labels, anomalies=tuple(spans))


def truncate(day: StationDay, minutes_observed: int) -> StationDay:
    """The same day as seen part-way through: minutes after `minutes_observed` are empty."""
    energy = day.energy_kwh.copy()
    energy[:, minutes_observed:] = 0.0
    active = day.session_active.copy()
    active[:, minutes_observed:] = False
    meter = None
    if day.station_meter_kwh is not None:
        meter = day.station_meter_kwh.copy()
        meter[minutes_observed:] = 0.0
    return replace(
        day, energy_kwh=energy, session_active=active, station_meter_kwh=meter, minutes_observed=minutes_observed
    )
