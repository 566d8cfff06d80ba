"""Per-station windows, pure: minute energy from register deltas, availability from status, station-days.

No Bytewax here; `pipeline/stations/steps.py` keeps one `StationState` per (tenant, station) in a
stateful operator and calls these functions. All state is plain data, so it pickles into
Bytewax recovery snapshots.
"""

from __future__ import annotations

import bisect
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from evwatch.domain.ocpp import SESSION_STATUSES, STATION_CONNECTOR, UNAVAILABLE_STATUSES, connector_sort_key
from models.shade.features import profile_of
from models.shade.schema import MINUTES, DayProfile, History, StationDay

# Fixed namespace so ids are the same in every process and on every replay.
ID_NAMESPACE = uuid.UUID("5d0f1c9e-8f6b-4d8a-9a53-3a1f0e6c2b71")
HISTORY_KEEP_DAYS = 28
# Without a rating, a delta faster than this is not energy but a register glitch (KWH_JUMP).
DEFAULT_MAX_KW = 400.0
# A gap between readings longer than this is not spread (a week of idle energy is not evidence).
MAX_SPREAD_S = 24 * 3600.0


@dataclass(frozen=True)
class EnergyReading:
    """One `Energy.Active.Import.Register` reading in kWh; connector "0" is the station meter."""

    connector_id: str
    timestamp: datetime
    register_kwh: float
    session_id: str | None = None


@dataclass(frozen=True)
class StatusEvent:
    """A connector status change (OCPP StatusNotification); connector "0" is the whole station."""

    connector_id: str
    status: str
    timestamp: datetime
    error_code: str = "NoError"


@dataclass(frozen=True)
class MinuteEnergy:
    """Accumulated energy of one connector in one UTC minute (a full value, safe to re-write)."""

    connector_id: str
    minute: datetime
    energy_kwh: float
    session_active: bool


@dataclass
class _Meter:
    last_ts: float | None = None
    last_kwh: float | None = None
    last_session: str | None = None


@dataclass
class StationState:
    """Everything the pipeline remembers about one station."""

    tz: str = "UTC"
    max_power_kw: dict[str, float] = field(default_factory=dict)
    meters: dict[str, _Meter] = field(default_factory=dict)
    energy: dict[str, dict[int, float]] = field(default_factory=dict)  # connector -> epoch minute -> kWh
    active: dict[str, set[int]] = field(default_factory=dict)  # connector -> epoch minutes in a session
    status: dict[str, list[tuple[float, str]]] = field(default_factory=dict)  # connector -> sorted (ts, status)
    open_days: set[int] = field(default_factory=set)
    closed_through: int | None = None  # local day start of the last closed day
    closed_end_minute: int | None = None  # first epoch minute after the last closed day
    latest_event_ts: float | None = None
    history: list[DayProfile] = field(default_factory=list)
    dirty: set[tuple[str, int]] = field(default_factory=set)
    last_partial_wall: float | None = None
    last_arrival_wall: float | None = None  # wall clock of the last item, for the "went quiet" rule
    closable_since: dict[int, float] = field(default_factory=dict)  # day -> wall clock it became closable
    rejected_deltas: int = 0
    late_readings: int = 0


# ------------------------------------------------------------------ ids


def station_record_id(tenant_id: str, station_id: str) -> str:
    """Deterministic id of a station record (the `id` of List Stations)."""
    return str(uuid.uuid5(ID_NAMESPACE, f"station/{tenant_id}/{station_id}"))


def station_inference_id(tenant_id: str, station_id: str, day_start: int) -> str:
    """One id per station-day: partial scores during the day are superseded by the final one."""
    return str(uuid.uuid5(ID_NAMESPACE, f"shade/{tenant_id}/{station_id}/{day_start}"))


def station_event_id(inference_id: str, is_partial: bool, minutes_observed: int, day_score: float) -> str:
    """One id per score of a station-day: scoring the same minutes again (a replay) gives the same id."""
    return str(uuid.uuid5(ID_NAMESPACE, f"event/{inference_id}/{is_partial}/{minutes_observed}/{day_score:.6f}"))


# ------------------------------------------------------------------ time


def _ts(t: datetime) -> float:
    if t.tzinfo is None:
        msg = "timestamps must be timezone-aware"
        raise ValueError(msg)
    return t.timestamp()


def local_day_start(ts: float, tz: str) -> int:
    """Epoch seconds of local midnight of the local day that contains `ts`."""
    local = datetime.fromtimestamp(ts, ZoneInfo(tz))
    return int(datetime(local.year, local.month, local.day, tzinfo=ZoneInfo(tz)).timestamp())


def next_day_start(day_start: int, tz: str) -> int:
    """Local midnight after the day starting at `day_start` (23 or 25 hours later on DST days)."""
    local = datetime.fromtimestamp(day_start, ZoneInfo(tz)) + timedelta(days=1)
    return int(datetime(local.year, local.month, local.day, tzinfo=ZoneInfo(tz)).timestamp())


def day_minute_index(epoch_minute: int, day_start: int, length: int = MINUTES) -> int:
    """Grid minute of an epoch minute. A 25-hour day (DST end) is squeezed evenly onto the 1440
    slots; a 23-hour day keeps its minutes and leaves the last hour unobserved."""
    offset = epoch_minute - day_start // 60
    if length > MINUTES:
        return min(offset * MINUTES // length, MINUTES - 1)
    return min(offset, MINUTES - 1)


# ------------------------------------------------------------------ energy


def spread_delta(start_ts: float, end_ts: float, delta_kwh: float) -> dict[int, float]:
    """Split an energy delta over the epoch minutes [start_ts, end_ts) spans, by time overlap."""
    if end_ts <= start_ts:
        return {}
    out: dict[int, float] = {}
    rate = delta_kwh / (end_ts - start_ts)
    m = int(start_ts // 60)
    while m * 60 < end_ts:
        lo, hi = max(start_ts, m * 60.0), min(end_ts, (m + 1) * 60.0)
        if hi > lo:
            out[m] = out.get(m, 0.0) + rate * (hi - lo)
        m += 1
    return out


def _add(state: StationState, connector: str, minute: int, kwh: float) -> None:
    if state.closed_end_minute is not None and minute < state.closed_end_minute:
        return  # that day is scored and forgotten; a partial re-write would clobber the stored minute
    bucket = state.energy.setdefault(connector, {})
    bucket[minute] = bucket.get(minute, 0.0) + kwh
    state.dirty.add((connector, minute))


def _mark_open(state: StationState, ts: float, advance: bool = True) -> bool:
    day = local_day_start(ts, state.tz)
    if state.closed_through is not None and day <= state.closed_through:
        return False
    state.open_days.add(day)
    if advance:
        state.latest_event_ts = ts if state.latest_event_ts is None else max(state.latest_event_ts, ts)
    return True


def apply_reading(state: StationState, reading: EnergyReading) -> None:
    """Fold one register reading into minute energy and session activity.

    The delta to the previous reading of the same connector is spread over the minutes between
    them. Between two sessions the register delta is energy drawn while idle. Deltas that are
    negative (reset, per-session registers) or faster than the connector's rating (glitch) are
    not energy: they are counted in `rejected_deltas` and dropped (CSAR-2 reports them per session).
    Readings older than the last one of their connector are kept out of the sums (out of order).
    """
    ts = _ts(reading.timestamp)
    meter = state.meters.setdefault(reading.connector_id, _Meter())
    if not _mark_open(state, ts):
        state.late_readings += 1
        # Its energy belongs to a scored day, but the register moved on: later deltas start here,
        # or the next reading would smear this energy over the open day as idle consumption.
        if meter.last_ts is None or ts > meter.last_ts:
            meter.last_ts, meter.last_kwh, meter.last_session = ts, reading.register_kwh, reading.session_id
        return
    if meter.last_ts is not None and ts <= meter.last_ts:
        state.late_readings += 1
        return
    same_session = reading.session_id is not None and reading.session_id == meter.last_session
    if meter.last_ts is not None and meter.last_kwh is not None:
        dt = ts - meter.last_ts
        delta = reading.register_kwh - meter.last_kwh
        max_kw = state.max_power_kw.get(reading.connector_id, DEFAULT_MAX_KW)
        if reading.connector_id == STATION_CONNECTOR:
            max_kw = max(sum(state.max_power_kw.values()), DEFAULT_MAX_KW)
        plausible = 0.0 <= delta <= max_kw * 1.2 * dt / 3600.0 + 1e-3
        if plausible and dt <= MAX_SPREAD_S:
            for minute, kwh in spread_delta(meter.last_ts, ts, delta).items():
                _add(state, reading.connector_id, minute, kwh)
        elif delta != 0.0:
            state.rejected_deltas += 1
        if same_session and reading.connector_id != STATION_CONNECTOR:
            minutes = state.active.setdefault(reading.connector_id, set())
            minutes.update(range(int(meter.last_ts // 60), int(ts // 60) + 1))
            for m in range(int(meter.last_ts // 60), int(ts // 60) + 1):
                state.dirty.add((reading.connector_id, m))
    if reading.session_id is not None and reading.connector_id != STATION_CONNECTOR:
        state.active.setdefault(reading.connector_id, set()).add(int(ts // 60))
        state.dirty.add((reading.connector_id, int(ts // 60)))
    meter.last_ts, meter.last_kwh, meter.last_session = ts, reading.register_kwh, reading.session_id


def drain_dirty(state: StationState) -> list[MinuteEnergy]:
    """Minutes changed since the last drain, with their full current values (idempotent upserts)."""
    out = []
    for connector, minute in sorted(state.dirty):
        out.append(
            MinuteEnergy(
                connector_id=connector,
                minute=datetime.fromtimestamp(minute * 60, UTC),
                energy_kwh=state.energy.get(connector, {}).get(minute, 0.0),
                session_active=minute in state.active.get(connector, set()),
            )
        )
    state.dirty.clear()
    return out


# ------------------------------------------------------------------ availability


def apply_status(state: StationState, event: StatusEvent) -> None:
    """Insert a status change into the connector's timeline (kept sorted; duplicates ignored)."""
    ts = _ts(event.timestamp)
    timeline = state.status.setdefault(event.connector_id, [])
    item = (ts, event.status)
    i = bisect.bisect_left(timeline, item)
    if i < len(timeline) and timeline[i] == item:
        return
    timeline.insert(i, item)
    # Status comes on its own topic and may run ahead of the meter values: it opens a day but does
    # not move the station's event time, so it never closes a day whose energy is still on its way.
    _mark_open(state, ts, advance=False)
    if event.status in SESSION_STATUSES:
        state.active.setdefault(event.connector_id, set()).add(int(ts // 60))


def status_at(timeline: list[tuple[float, str]], ts: float) -> str | None:
    """The status in force at `ts` (the last change at or before it), None before the first one."""
    i = bisect.bisect_right(timeline, (ts, "\uffff"))
    return timeline[i - 1][1] if i else None


def availability_mask(
    state: StationState, connector: str, start_ts: float, minutes: int, stretch: float = 1.0
) -> NDArray[Any]:
    """Per-minute availability from `start_ts`: a connector is available unless it, or connector 0
    (the whole station), is Unavailable/Faulted at the minute's start. Unknown counts as available."""
    mask = np.ones(minutes, dtype=bool)
    for key in (connector, STATION_CONNECTOR):
        timeline = state.status.get(key, [])
        if not timeline:
            continue
        for m in range(minutes):
            status = status_at(timeline, start_ts + 60.0 * m * stretch)
            if status in UNAVAILABLE_STATUSES:
                mask[m] = False
    return mask


def availability_intervals(
    timeline: list[tuple[float, str]], start_ts: float, end_ts: float
) -> list[tuple[float, float, str]]:
    """The timeline cut into (from, to, status) intervals covering [start_ts, end_ts)."""
    out: list[tuple[float, float, str]] = []
    current = status_at(timeline, start_ts)
    cursor = start_ts
    for ts, status in timeline:
        if ts <= start_ts:
            continue
        if ts >= end_ts:
            break
        if current is not None and ts > cursor:
            out.append((cursor, ts, current))
        cursor, current = ts, status
    if current is not None and end_ts > cursor:
        out.append((cursor, end_ts, current))
    return out


# ------------------------------------------------------------------ station-days


def connector_ids(state: StationState) -> tuple[str, ...]:
    """Charging connectors known so far (not the station meter), numeric ids in numeric order."""
    ids = set(state.max_power_kw) | set(state.energy) | set(state.status) | set(state.active)
    ids.discard(STATION_CONNECTOR)
    return tuple(sorted(ids, key=connector_sort_key))


def build_station_day(state: StationState, day_start: int, observed_until: float | None = None) -> StationDay:
    """The SHADE input for one local day; with `observed_until`, the part of the day seen so far."""
    ids = connector_ids(state)
    length = (next_day_start(day_start, state.tz) - day_start) // 60
    observed = min(length, MINUTES)
    if observed_until is not None:
        observed = int(max(1, min(observed, (observed_until - day_start) // 60 + 1)))
    energy = np.zeros((len(ids), MINUTES))
    active = np.zeros((len(ids), MINUTES), dtype=bool)
    first, last = day_start // 60, day_start // 60 + length
    for i, cid in enumerate(ids):
        for minute, kwh in state.energy.get(cid, {}).items():
            if first <= minute < last:
                energy[i, day_minute_index(minute, day_start, length)] += kwh
        for minute in state.active.get(cid, set()):
            if first <= minute < last:
                active[i, day_minute_index(minute, day_start, length)] = True
    stretch = max(length / MINUTES, 1.0)  # a 25-hour day is squeezed onto the grid
    available = (
        np.stack([availability_mask(state, cid, float(day_start), MINUTES, stretch) for cid in ids])
        if ids
        else np.ones((0, MINUTES), dtype=bool)
    )
    meter = None
    if STATION_CONNECTOR in state.energy:
        meter = np.zeros(MINUTES)
        for minute, kwh in state.energy[STATION_CONNECTOR].items():
            if first <= minute < last:
                meter[day_minute_index(minute, day_start, length)] += kwh
    powers = tuple(state.max_power_kw[c] for c in ids) if all(c in state.max_power_kw for c in ids) and ids else None
    return StationDay(
        day_start=day_start,
        tz=state.tz,
        connector_ids=ids,
        energy_kwh=energy,
        session_active=active,
        available=available,
        station_meter_kwh=meter,
        max_power_kw=powers,
        minutes_observed=observed,
    )


def closable_days(
    state: StationState, now_wall: float, close_after_s: float, quiet_s: float = 0.0, grace_s: float = 0.0
) -> list[int]:
    """Open days to close now, oldest first.

    A day closes when the station has sent data from `grace_s` or more past the day's end (event
    time: the next day has begun, with some slack for connectors that report late), or when its
    end is more than `close_after_s` behind the wall clock and nothing arrived for `quiet_s`
    (a station that went quiet; the quiet period keeps a backfill of old days from closing each
    day on its first reading).
    """
    quiet = state.last_arrival_wall is None or now_wall - state.last_arrival_wall >= quiet_s
    out = []
    for day in sorted(state.open_days):
        end = next_day_start(day, state.tz)
        later_data = state.latest_event_ts is not None and state.latest_event_ts >= end + grace_s
        stale = quiet and now_wall >= end + close_after_s
        if later_data or stale:
            out.append(day)
    return out


def close_day(state: StationState, day_start: int) -> StationDay:
    """Build the final station-day, add it to the history, forget its minute data."""
    day = build_station_day(state, day_start)
    state.history.append(profile_of(day))
    state.history = state.history[-HISTORY_KEEP_DAYS:]
    state.open_days.discard(day_start)
    state.closable_since.pop(day_start, None)
    state.closed_through = max(day_start, state.closed_through or day_start)
    end_minute = next_day_start(day_start, state.tz) // 60
    state.closed_end_minute = max(end_minute, state.closed_end_minute or end_minute)
    for bucket in state.energy.values():
        for minute in [m for m in bucket if m < end_minute]:
            del bucket[minute]
    for minutes in state.active.values():
        minutes.difference_update({m for m in minutes if m < end_minute})
    # Keep only the status in force at the cut, so availability of later days still knows it.
    cut = float(next_day_start(day_start, state.tz))
    for cid, timeline in state.status.items():
        current = status_at(timeline, cut)
        rest = [item for item in timeline if item[0] > cut]
        state.status[cid] = ([(cut, current)] if current is not None else []) + rest
    return day


def history_of(state: StationState) -> History:
    """The station's closed days as SHADE history."""
    return History(days=tuple(state.history))


def partial_due(state: StationState, now_wall: float, interval_s: float) -> bool:
    """Whether the open current day is due for another intra-day (partial) score."""
    if state.latest_event_ts is None or not state.open_days:
        return False
    return state.last_partial_wall is None or now_wall - state.last_partial_wall >= interval_s


def partial_day(state: StationState, now_wall: float) -> StationDay | None:
    """Snapshot of the newest open day up to the latest event, for a partial-day score."""
    if state.latest_event_ts is None or not state.open_days:
        return None
    day_start = max(state.open_days)
    state.last_partial_wall = now_wall
    return build_station_day(state, day_start, observed_until=state.latest_event_ts)
