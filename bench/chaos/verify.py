"""Exactly-once checks of one round through what a user sees: the API and `evwatch.events`.

Counts are kept as two tallies, `lost` (something sent or promised is missing) and `duplicated`
(something appears more often than it was sent, or twice with different content), by what it is.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from bench.chaos.workload import PlannedSession, RoundPlan, reading_key

ENERGY_TOLERANCE_KWH = 0.01
# After every count reached its target: time for a late replay to show up before the final count.
SETTLE_S = 3.0
MAX_PROBLEMS = 25


@dataclass
class Tally:
    """Lost and duplicated items by kind, with a readable line per problem (the first few)."""

    lost: Counter[str] = field(default_factory=Counter)
    duplicated: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    # Allowed by design, reported for the record (events redelivered with the same eventId).
    info: Counter[str] = field(default_factory=Counter)

    def lose(self, kind: str, n: int, why: str) -> None:
        """Count `n` lost items of `kind`."""
        if n > 0:
            self.lost[kind] += n
            self._say(f"lost {n} {kind}: {why}")

    def duplicate(self, kind: str, n: int, why: str) -> None:
        """Count `n` duplicated items of `kind`."""
        if n > 0:
            self.duplicated[kind] += n
            self._say(f"duplicated {n} {kind}: {why}")

    def _say(self, line: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(line)


@dataclass(frozen=True)
class Event:
    """One `session.analyzed` event as read from the topic, with where it was."""

    partition: int
    offset: int
    payload: dict[str, Any]

    @property
    def session_id(self) -> str:
        """The session it announces."""
        return str(self.payload.get("sessionId", ""))

    @property
    def event_id(self) -> str:
        """The id consumers deduplicate by."""
        return str(self.payload.get("eventId", ""))


def read_events(bootstrap: str, topic: str, prefix: str) -> list[Event]:
    """Every event on `topic` whose sessionId starts with `prefix`, read from the beginning up to the
    current end of each partition (assigned, not subscribed: no group, no rebalance wait)."""
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": f"chaos-{uuid.uuid4().hex}", "enable.auto.commit": False}
    )
    try:
        partitions = consumer.list_topics(topic, timeout=30).topics[topic].partitions
        ends = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[1] for p in partitions}
        todo = {p for p, end in ends.items() if end > 0}
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in todo])
        events: list[Event] = []
        deadline = time.monotonic() + 60
        while todo and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None or msg.error() is not None:
                continue
            part, offset = msg.partition(), msg.offset()
            assert part is not None and offset is not None
            if offset >= ends[part] - 1:
                todo.discard(part)
            payload = msgspec.json.decode(msg.value() or b"{}")
            if isinstance(payload, dict) and str(payload.get("sessionId", "")).startswith(prefix):
                events.append(Event(part, offset, payload))
        if todo:
            why = f"events topic not read to its end within 60 s (partitions {sorted(todo)})"
            raise RuntimeError(why)
        return sorted(events, key=lambda e: (e.partition, e.offset))
    finally:
        consumer.close()


def events_by_session(events: list[Event]) -> dict[str, list[Event]]:
    """Events grouped by session, each group in offset order (one session's events share a partition)."""
    out: dict[str, list[Event]] = {}
    for event in events:
        out.setdefault(event.session_id, []).append(event)
    return out


class RoundVerifier:
    """Polls the API until a round's data is complete, then counts what is lost and duplicated."""

    def __init__(self, base_url: str, key: str, bootstrap: str, events_topic: str) -> None:
        self.client = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30)
        self.bootstrap = bootstrap
        self.events_topic = events_topic

    def close(self) -> None:
        """Close the HTTP client."""
        self.client.close()

    # -- reading what is there -------------------------------------------------------------------
    def session(self, session_id: str) -> dict[str, Any] | None:
        """The session's detail, None while it does not exist."""
        resp = self.client.get(f"/v1/sessions/{session_id}")
        if resp.status_code == 404:
            return None
        resp.raise_for_status()
        body = resp.json()
        assert isinstance(body, dict)
        return body

    def station_energy(self, station_id: str) -> float:
        """energyDelivered of the station (0 while it does not exist)."""
        resp = self.client.get(f"/v1/stations/{station_id}/energy")
        if resp.status_code == 404:
            return 0.0
        resp.raise_for_status()
        return float(resp.json()["energyDelivered"])

    def events(self, plan: RoundPlan) -> dict[str, list[Event]]:
        """The round's events by session."""
        return events_by_session(read_events(self.bootstrap, self.events_topic, f"chaos-r{plan.index:02d}-"))

    # -- waiting ---------------------------------------------------------------------------------
    def _complete(self, session: PlannedSession) -> bool:
        body = self.session(session.session_id)
        if body is None or "analyzedAt" not in body:
            return False
        shown = sum(1 for r in body.get("meterValues", []) if not r.get("reconstructed"))
        return shown >= session.reading_count

    def _energy_complete(self, session: PlannedSession) -> bool:
        return self.station_energy(session.station_id) >= session.energy_kwh - ENERGY_TOLERANCE_KWH

    def wait_until_complete(self, plan: RoundPlan, stored_api: set[str], timeout_s: float) -> float:
        """Poll until every session shows all its readings and an analysis, every station its energy and
        every streamed session an event (or `timeout_s`); the seconds it took."""
        started = time.monotonic()
        expected = [s for s in plan.sessions if s.path == "stream" or s.session_id in stored_api]
        sessions, stations = list(expected), list(expected)
        streamed = {s.session_id for s in plan.stream}
        deadline = started + timeout_s
        while time.monotonic() < deadline:
            sessions = [s for s in sessions if not self._complete(s)]
            stations = [s for s in stations if not self._energy_complete(s)]
            if not sessions and not stations and streamed <= set(self.events(plan)):
                break
            time.sleep(1.0)
        took = time.monotonic() - started
        time.sleep(SETTLE_S)
        return took

    # -- counting --------------------------------------------------------------------------------
    def count(self, plan: RoundPlan, stored_api: set[str]) -> Tally:
        """Lost and duplicated readings, analyses, station energy and events of the round, via the API."""
        tally = Tally()
        for session in plan.sessions:
            if session.path == "api" and session.session_id not in stored_api:
                continue  # never confirmed to the client: nothing was promised
            self._count_session(session, tally)
            self._count_energy(session, tally)
        self._count_events(plan, tally)
        return tally

    def _count_session(self, session: PlannedSession, tally: Tally) -> None:
        body = self.session(session.session_id)
        if body is None:
            tally.lose("readings", session.reading_count, f"{session.session_id} does not exist")
            tally.lose("analyses", 1, f"{session.session_id} does not exist")
            return
        shown = Counter(reading_key(r) for r in body.get("meterValues", []) if not r.get("reconstructed"))
        sent = session.reading_keys
        tally.lose("readings", (sent - shown).total(), f"{session.session_id}: missing {sorted(sent - shown)[:3]}")
        tally.duplicate("readings", (shown - sent).total(), f"{session.session_id}: extra {sorted(shown - sent)[:3]}")
        if "analyzedAt" not in body:
            tally.lose("analyses", 1, f"{session.session_id} has no analysis ({body.get('message', '')})")

    def _count_energy(self, session: PlannedSession, tally: Tally) -> None:
        energy = self.station_energy(session.station_id)
        why = f"{session.station_id}: energyDelivered {energy} kWh, sent {session.energy_kwh} kWh"
        if energy < session.energy_kwh - ENERGY_TOLERANCE_KWH:
            tally.lose("station_energy", 1, why)
        elif energy > session.energy_kwh + ENERGY_TOLERANCE_KWH:
            tally.duplicate("station_energy", 1, why)

    def _count_events(self, plan: RoundPlan, tally: Tally) -> None:
        by_session = self.events(plan)
        for session in plan.stream:
            if not by_session.get(session.session_id):
                tally.lose("events", 1, f"no session.analyzed event for {session.session_id}")
        redelivered = count_conflicting_events([e for group in by_session.values() for e in group], tally)
        tally.info["events_redelivered"] += redelivered


def count_conflicting_events(events: list[Event], tally: Tally) -> int:
    """Events sharing an `eventId` must say the same apart from `analyzedAt` (a redelivery); every other
    version counts as a duplicate. Returns how many redeliveries there were (allowed: at least once)."""
    versions: dict[str, set[bytes]] = {}
    redelivered = 0
    for event in events:
        content = {k: v for k, v in event.payload.items() if k != "analyzedAt"}
        seen = versions.setdefault(event.event_id, set())
        encoded = msgspec.json.encode(dict(sorted(content.items())))
        redelivered += 1 if seen else 0
        seen.add(encoded)
    for event_id, seen in versions.items():
        tally.duplicate("conflicting_events", len(seen) - 1, f"eventId {event_id} announced with different content")
    return redelivered
