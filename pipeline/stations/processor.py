"""What happens to one station's state when an item arrives or the clock ticks (pure, no Bytewax)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from evwatch.config import PipelineSettings
from evwatch.contracts.station_status import StationMetadata
from models.shade.schema import History, StationDay
from pipeline.stations.inputs import MetadataInput, ReadingsInput, StationInput, StatusInput
from pipeline.stations.windows import (
    MinuteEnergy,
    StationState,
    StatusEvent,
    apply_reading,
    apply_status,
    closable_days,
    close_day,
    drain_dirty,
    history_of,
    local_day_start,
    next_day_start,
    partial_day,
    partial_due,
)


@dataclass(frozen=True)
class StationWindowConfig:
    """When days close and how often the open day is scored."""

    # A quiet station's day closes this long after local midnight (wall clock).
    close_after_s: float = 2 * 3600.0
    # The open day is re-scored at most this often, and only when new data arrived.
    partial_interval_s: float = 15 * 60.0
    # Too little of a day says nothing: no partial score before this many minutes are observed.
    min_partial_minutes: int = 60
    # Wall-clock closing waits until the station sent nothing for this long (see closable_days).
    quiet_s: float = 300.0
    # Next-day data closes a day once it is this far past midnight (connectors report with lag).
    grace_s: float = 1800.0
    # A closable day waits this long (wall clock) before it closes, so items of the same moment on
    # the other input (status vs meter values, other partitions) still land in it.
    settle_s: float = 10.0
    tick_s: float = 60.0

    @classmethod
    def from_settings(cls, p: PipelineSettings) -> StationWindowConfig:
        """The knobs from `PipelineSettings.station_*` (EVWATCH_PIPELINE_STATION_*)."""
        return cls(
            close_after_s=p.station_close_after_s,
            partial_interval_s=p.station_partial_interval_s,
            quiet_s=p.station_quiet_s,
            grace_s=p.station_grace_s,
            settle_s=p.station_settle_s,
            tick_s=p.station_tick_s,
        )


@dataclass(frozen=True)
class StationSeen:
    """First sight of a station in this state (a row for `charging_stations`)."""

    first_seen: datetime


@dataclass(frozen=True)
class MetadataChanged:
    """A station description to store."""

    metadata: StationMetadata
    received_at: datetime
    first_seen: datetime


@dataclass(frozen=True)
class EnergyChanged:
    """Minutes whose energy changed (full values)."""

    rows: tuple[MinuteEnergy, ...]


@dataclass(frozen=True)
class StatusChanged:
    """A status change to store."""

    event: StatusEvent
    info: str | None
    source_ref: str


@dataclass(frozen=True)
class ScoreDay:
    """A station-day (closed, or the open one so far) to run through SHADE."""

    day: StationDay
    history: History
    partial: bool


StationOutput = StationSeen | MetadataChanged | EnergyChanged | StatusChanged | ScoreDay


@dataclass
class StationProcessorState:
    """Windows plus what the processor remembers about what it already emitted."""

    windows: StationState = field(default_factory=StationState)
    first_seen: datetime | None = None
    metadata_at: datetime | None = None
    partial_scored_upto: float | None = None


def _item_time(item: StationInput) -> datetime:
    if isinstance(item, ReadingsInput):
        return min((r.timestamp for r in item.readings), default=item.received_at)
    if isinstance(item, StatusInput):
        return item.event.timestamp
    return item.metadata.timestamp or item.received_at


def _apply_metadata(state: StationProcessorState, item: MetadataInput) -> bool:
    """Take a description into the windows unless an newer one was already applied."""
    stamp = item.metadata.timestamp or item.received_at
    if state.metadata_at is not None and stamp < state.metadata_at:
        return False
    state.metadata_at = stamp
    windows = state.windows
    # Days already open keep the bucketing they started with; a changed zone applies from the next day.
    if not windows.open_days:
        windows.tz = item.metadata.time_zone
    windows.max_power_kw = {
        c.connector: float(c.max_power_kw) for c in item.metadata.connectors if c.max_power_kw is not None
    }
    return True


def _close(state: StationProcessorState, now: float, cfg: StationWindowConfig) -> list[StationOutput]:
    out: list[StationOutput] = []
    windows = state.windows
    candidates = closable_days(windows, now, cfg.close_after_s, cfg.quiet_s, cfg.grace_s)
    for day_start in candidates:
        windows.closable_since.setdefault(day_start, now)
    for day_start in candidates:
        if now - windows.closable_since[day_start] < cfg.settle_s:
            break  # days close in order
        history = history_of(state.windows)
        day = close_day(state.windows, day_start)
        if day.connector_ids:
            out.append(ScoreDay(day, history, partial=False))
    return out


def on_input(
    state: StationProcessorState, item: StationInput, now: float, cfg: StationWindowConfig
) -> list[StationOutput]:
    """Fold one item into the station's state; returns what to store and what to score."""
    out: list[StationOutput] = []
    state.windows.last_arrival_wall = now
    when = _item_time(item)
    # Event times move first sight earlier (out-of-order data); a description's arrival time does not.
    if state.first_seen is None or (not isinstance(item, MetadataInput) and when < state.first_seen):
        state.first_seen = when
        out.append(StationSeen(when))
    if isinstance(item, ReadingsInput):
        if item.max_power_kw is not None:
            for connector in {r.connector_id for r in item.readings}:
                state.windows.max_power_kw.setdefault(connector, item.max_power_kw)
        for reading in sorted(item.readings, key=lambda r: r.timestamp):
            apply_reading(state.windows, reading)
        rows = drain_dirty(state.windows)
        if rows:
            out.append(EnergyChanged(tuple(rows)))
    elif isinstance(item, StatusInput):
        apply_status(state.windows, item.event)
        out.append(StatusChanged(item.event, item.info, item.source.ref))
    elif _apply_metadata(state, item):
        out.append(MetadataChanged(item.metadata, item.received_at, state.first_seen))
    out.extend(_close(state, now, cfg))
    return out


def _open_today(state: StationProcessorState, now: float) -> None:
    """A station that used to send data has today's day open even if nothing arrives: a station
    that went silent still gets its (empty) day scored once the day is over."""
    windows = state.windows
    if not windows.history:
        return
    today = local_day_start(now, windows.tz)
    if windows.closed_through is None or today > windows.closed_through:
        windows.open_days.add(today)


def on_tick(state: StationProcessorState, now: float, cfg: StationWindowConfig) -> list[StationOutput]:
    """Close days by the wall clock and score the open day when due."""
    _open_today(state, now)
    out = _close(state, now, cfg)
    windows = state.windows
    fresh = windows.latest_event_ts is not None and (
        state.partial_scored_upto is None or windows.latest_event_ts > state.partial_scored_upto
    )
    # Only today's day gets intra-day scores; a day that already ended waits for its final score.
    current = bool(windows.open_days) and now < next_day_start(max(windows.open_days), windows.tz)
    if fresh and current and partial_due(windows, now, cfg.partial_interval_s):
        day = partial_day(windows, now)
        if day is not None and day.connector_ids and day.minutes_observed >= cfg.min_partial_minutes:
            state.partial_scored_upto = windows.latest_event_ts
            out.append(ScoreDay(day, history_of(windows), partial=True))
    return out


def next_tick(state: StationProcessorState, now: float, cfg: StationWindowConfig) -> datetime | None:
    """When `on_tick` should run next (None while no day is open and the station never sent a day)."""
    if not state.windows.open_days and not state.windows.history:
        return None
    at = now + cfg.tick_s
    if state.windows.closable_since:
        at = min(at, max(now, min(state.windows.closable_since.values()) + cfg.settle_s))
    return datetime.fromtimestamp(at, UTC)
