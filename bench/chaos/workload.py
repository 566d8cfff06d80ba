"""What a round sends: sessions streamed to Kafka a reading group at a time, and sessions POSTed to the API.

Every session has its own station (connector "1") and a register that starts at 0 kWh and rises at a
steady 11 kW, one reading group a minute. So what each station's minute energy must add up to is the
last register value sent, and every count the verifier checks is known exactly in advance.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import httpx
import msgspec

from evwatch.kafka import producer as kafka_producer

TENANT = "default"
POWER_KW = 11.0
METADATA = {"maxPowerKw": 22, "currentType": "AC"}
ENERGY = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"

# The stream sender's librdkafka log: a broker round refuses its connections on purpose, every 100 ms.
# What matters is in the delivery reports, which the round counts.
_quiet = logging.getLogger("bench.chaos.rdkafka")
_quiet.disabled = True

# (epoch milliseconds, measurand, value): how a reading is compared between what was sent and what is read.
ReadingKey = tuple[int, str, float]


@dataclass(frozen=True)
class Sizes:
    """How much a round sends, and how long it spreads it (the fault lands inside that spread)."""

    stream_sessions: int = 30
    messages_per_session: int = 20
    api_sessions: int = 20
    api_timestamps: int = 10
    spread_s: float = 15.0
    # How long a stopped broker or tritonserver stays down.
    outage_s: float = 5.0
    # How long a round may take to settle after its fault, and how long an API client keeps retrying.
    settle_timeout_s: float = 180.0
    retry_for_s: float = 240.0


SMALL = Sizes(stream_sessions=12, messages_per_session=15, api_sessions=6, api_timestamps=10, spread_s=8.0)
LONG = Sizes()


@dataclass(frozen=True)
class PlannedSession:
    """One session of a round, with every reading it is sent."""

    session_id: str
    station_id: str
    path: Literal["stream", "api"]
    # Reading groups, one per timestamp: (ISO timestamp, register kWh, power kW).
    groups: tuple[tuple[str, float, float], ...]

    @property
    def readings(self) -> list[dict[str, Any]]:
        """The meter values, as the API body and the Kafka messages carry them."""
        return [value for group in self.groups for value in _group_values(group)]

    @property
    def reading_keys(self) -> Counter[ReadingKey]:
        """The multiset of readings sent."""
        return Counter(reading_key(r) for r in self.readings)

    @property
    def reading_count(self) -> int:
        """How many readings were sent."""
        return 2 * len(self.groups)

    @property
    def energy_kwh(self) -> float:
        """What the station's minute energy must add up to: its only session's register, from 0."""
        return self.groups[-1][1]

    def minute_energy(self) -> dict[int, float]:
        """kWh per UTC minute (epoch seconds) the station windows must count: each register delta lies
        in the minute its first reading starts, since readings are a minute apart on whole minutes."""
        return {
            round(datetime.fromisoformat(a[0].replace("Z", "+00:00")).timestamp()): round(b[1] - a[1], 6)
            for a, b in itertools.pairwise(self.groups)
        }

    def body(self) -> dict[str, Any]:
        """The Create Session body."""
        return {
            "sessionId": self.session_id,
            "chargingStationId": self.station_id,
            "connectorId": "1",
            "metadata": METADATA,
            "meterValues": self.readings,
        }

    def messages(self) -> list[tuple[bytes, bytes]]:
        """(key, value) Kafka messages, one reading group each, keyed tenant/session to keep them in order."""
        key = f"{TENANT}/{self.session_id}".encode()
        head = {"tenantId": TENANT, "sessionId": self.session_id, "chargingStationId": self.station_id}
        return [
            (key, msgspec.json.encode({**head, "connectorId": "1", "metadata": METADATA, "meterValues": values}))
            for values in (_group_values(g) for g in self.groups)
        ]


@dataclass(frozen=True)
class RoundPlan:
    """Everything one round sends."""

    index: int
    stream: tuple[PlannedSession, ...]
    api: tuple[PlannedSession, ...]

    @property
    def sessions(self) -> tuple[PlannedSession, ...]:
        """Stream and API sessions together."""
        return self.stream + self.api


def _group_values(group: tuple[str, float, float]) -> list[dict[str, Any]]:
    ts, energy, power = group
    return [
        {"timestamp": ts, "measurand": ENERGY, "unit": "kWh", "value": energy},
        {"timestamp": ts, "measurand": POWER, "unit": "kW", "value": power},
    ]


def reading_key(reading: dict[str, Any]) -> ReadingKey:
    """A sent or returned reading as (epoch ms, measurand, value): formats of the timestamp do not matter."""
    ts = datetime.fromisoformat(str(reading["timestamp"]).replace("Z", "+00:00"))
    return (round(ts.timestamp() * 1000), str(reading["measurand"]), round(float(reading["value"]), 6))


def window_start(now: datetime, minutes: int) -> datetime:
    """Start of a `minutes`-long window that ended a few minutes ago and lies within one UTC day.

    Within one day: a station-day closes when a station sends data 30 minutes into the next day, and
    readings for a closed day are not counted; a window that straddled midnight would lose energy by
    design. Near midnight the window moves to the end of the day before, which stays open for hours.
    """
    end = now.astimezone(UTC).replace(second=0, microsecond=0) - timedelta(minutes=2)
    start = end - timedelta(minutes=minutes)
    if start.date() != end.date():
        start = end.replace(hour=0, minute=0) - timedelta(minutes=minutes + 1)
    return start


def _groups(start: datetime, count: int) -> tuple[tuple[str, float, float], ...]:
    step = POWER_KW / 60  # kWh per minute at a steady 11 kW
    return tuple(
        ((start + timedelta(minutes=i)).isoformat().replace("+00:00", "Z"), round(i * step, 4), POWER_KW)
        for i in range(count)
    )


def plan_round(index: int, sizes: Sizes, now: datetime) -> RoundPlan:
    """The sessions of round `index`; ids carry the round so that rounds never touch each other's data."""
    start = window_start(now, max(sizes.messages_per_session, sizes.api_timestamps))
    tag = f"r{index:02d}"
    stream = tuple(
        PlannedSession(
            f"chaos-{tag}-k{n:03d}", f"CP-CHAOS-{tag}-K{n:03d}", "stream", _groups(start, sizes.messages_per_session)
        )
        for n in range(sizes.stream_sessions)
    )
    api = tuple(
        PlannedSession(f"chaos-{tag}-a{n:03d}", f"CP-CHAOS-{tag}-A{n:03d}", "api", _groups(start, sizes.api_timestamps))
        for n in range(sizes.api_sessions)
    )
    return RoundPlan(index, stream, api)


# -- the stream -------------------------------------------------------------------------------------


@dataclass
class StreamReport:
    """What the stream sender managed: every message must be acknowledged by the broker."""

    sent: int = 0
    acknowledged: int = 0
    errors: list[str] = field(default_factory=list)


class StreamSender(threading.Thread):
    """Produces the round's messages in steps spread over `spread_s`: step i carries every stream
    session's i-th reading group. Idempotent with no practical timeout, so that a broker restart
    neither drops a message nor stores one twice (a second copy would be a second reading)."""

    def __init__(self, bootstrap: str, topic: str, plan: RoundPlan, spread_s: float, deadline_s: float) -> None:
        super().__init__(name="chaos-stream", daemon=True)
        self.bootstrap = bootstrap
        self.topic = topic
        self.steps = list(zip(*(s.messages() for s in plan.stream), strict=True)) if plan.stream else []
        self.spread_s = spread_s
        self.deadline_s = deadline_s
        self.report = StreamReport()

    def run(self) -> None:
        try:
            self._send()
        except Exception as exc:  # reported, and the round fails on it
            self.report.errors.append(f"{type(exc).__name__}: {exc}")

    def _on_delivery(self, err: Any, _msg: Any) -> None:
        if err is None:
            self.report.acknowledged += 1
        else:
            self.report.errors.append(str(err))

    def _send(self) -> None:
        producer = kafka_producer(
            self.bootstrap,
            {
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 5,
                "message.timeout.ms": int(self.deadline_s * 1000),
                "logger": _quiet,
            },
        )
        started = time.monotonic()
        interval = self.spread_s / max(len(self.steps), 1)
        for i, step in enumerate(self.steps):
            time.sleep(max(0.0, started + i * interval - time.monotonic()))
            for key, value in step:
                producer.produce(self.topic, value, key=key, on_delivery=self._on_delivery)
                self.report.sent += 1
            producer.poll(0)
        left = producer.flush(self.deadline_s)
        if left:
            self.report.errors.append(f"{left} messages still unacknowledged after {self.deadline_s:.0f} s")


# -- the API ----------------------------------------------------------------------------------------


@dataclass
class PostOutcome:
    """How one POST ended. `stored`: answered 200, or 409 on a retry with the whole session in place."""

    session_id: str
    outcome: Literal["stored", "stored-409", "rejected", "unanswered"] = "unanswered"
    attempts: int = 0
    pending: bool = False
    detail: str = ""


def post_until_answered(base_url: str, key: str, session: PlannedSession, retry_for_s: float) -> PostOutcome:
    """POST the session, retrying connection errors, 5xx and 429 until the stack answers.

    A retry can find the first attempt stored (the answer was lost with a killed server): 409 then, which
    counts as stored only if GET shows the session with every reading, as docs/delivery.md promises.
    """
    result = PostOutcome(session.session_id)
    headers = {"Authorization": f"Bearer {key}"}
    deadline = time.monotonic() + retry_for_s
    unanswered_before = False
    with httpx.Client(base_url=base_url, headers=headers, timeout=90) as client:
        while time.monotonic() < deadline:
            result.attempts += 1
            try:
                resp = client.post("/v1/sessions", json=session.body())
            except httpx.TransportError as exc:
                unanswered_before, result.detail = True, f"{type(exc).__name__}: {exc}"
                time.sleep(0.5)
                continue
            if resp.status_code == 200:
                result.outcome = "stored"
                result.pending = "pending" in str(resp.json().get("message", ""))
                return result
            if resp.status_code == 409 and unanswered_before:
                return _settle_conflict(client, session, result)
            if resp.status_code == 429:
                time.sleep(float(resp.headers.get("Retry-After", "1")))
                continue
            if resp.status_code >= 500:
                unanswered_before, result.detail = True, f"{resp.status_code}: {resp.text[:200]}"
                time.sleep(0.5)
                continue
            result.outcome, result.detail = "rejected", f"{resp.status_code}: {resp.text[:300]}"
            return result
    return result


def _settle_conflict(client: httpx.Client, session: PlannedSession, result: PostOutcome) -> PostOutcome:
    resp = client.get(f"/v1/sessions/{session.session_id}")
    shown = resp.json().get("meterValues", []) if resp.status_code == 200 else []
    count = sum(1 for r in shown if not r.get("reconstructed"))
    if count == session.reading_count:
        result.outcome = "stored-409"
    else:
        result.outcome = "rejected"
        result.detail = f"409 on retry, but GET shows {count} of {session.reading_count} readings"
    return result


class ApiWriter(threading.Thread):
    """POSTs the round's API sessions concurrently, each at a random moment within `spread_s`."""

    def __init__(
        self, base_url: str, key: str, plan: RoundPlan, spread_s: float, retry_for_s: float, rng: random.Random
    ) -> None:
        super().__init__(name="chaos-api", daemon=True)
        self.base_url = base_url
        self.key = key
        self.sessions = plan.api
        self.offsets = [rng.uniform(0, spread_s) for _ in plan.api]
        self.retry_for_s = retry_for_s
        self.outcomes: list[PostOutcome] = []

    def run(self) -> None:
        started = time.monotonic()

        def post(i: int) -> PostOutcome:
            time.sleep(max(0.0, started + self.offsets[i] - time.monotonic()))
            try:
                return post_until_answered(self.base_url, self.key, self.sessions[i], self.retry_for_s)
            except Exception as exc:  # reported, and the round fails on it
                return PostOutcome(self.sessions[i].session_id, "rejected", detail=f"{type(exc).__name__}: {exc}")

        if not self.sessions:
            return
        with ThreadPoolExecutor(max_workers=len(self.sessions), thread_name_prefix="chaos-post") as pool:
            self.outcomes = list(pool.map(post, range(len(self.sessions))))
