"""The session log's SQL against chDB: it must agree with the rules of `evwatch/domain/session_log.py`
(the in-memory store implements those), claim revisions atomically, and keep a POST to 3 round trips."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evwatch.analysis import SessionAnalyser
from evwatch.contracts.meter_values import CreateSessionRequest
from evwatch.domain.ocpp import ENERGY
from evwatch.domain.readings import StoredReading
from evwatch.domain.session_log import APPEND, CREATE, REPLACE, STREAM, SessionWrite, api_slot
from evwatch.domain.sessions import AnalysisFailure, AnalysisRecord, SessionRecord
from evwatch.storage.sessions import ClickHouseSessionStore, SessionStore, claim_token
from serving.sessions.service import SessionService
from tests.fakes.inference import FakeCsar2
from tests.fakes.stores import InMemorySessionStore
from tests.support.fuzz import EXAMPLES, fuzz

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]

T0 = datetime(2026, 3, 2, 10, tzinfo=UTC)

# A step of a session's history: a stream message (its Kafka offset), or an API write claiming a revision.
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("stream"), st.integers(0, 4), st.integers(0, 3)),
        st.tuples(st.sampled_from(["append", "replace"]), st.just(0), st.integers(0, 3)),
    ),
    min_size=1,
    max_size=10,
)


def _apply(store: SessionStore, tenant: str, steps: list[tuple[str, int, int]]) -> None:
    for i, (kind, offset, n) in enumerate(steps):
        at = T0 + timedelta(milliseconds=i)
        heads, _ = store.heads(tenant, ["s"])
        current = heads.get("s")
        session = (
            current.session
            if current is not None
            else SessionRecord(tenant, "s", "ST", "1", None, "active", {}, at, at)
        )
        session = SessionRecord(tenant, "s", "ST", "1", None, f"st{i}", {"i": i}, session.created_at, at)
        readings = tuple(StoredReading(at + timedelta(seconds=k), ENERGY, "kWh", float(10 * i + k)) for k in range(n))
        revision = current.revision if current is not None else 0
        if kind == "stream":
            slot = f"kafka:mv:0:{offset}"
            store.insert_writes([SessionWrite(session, slot, slot, revision, STREAM, at, readings)])
        else:
            op = REPLACE if kind == "replace" else (APPEND if current is not None else CREATE)
            slot = api_slot(revision + 1)
            write = SessionWrite(session, f"api:{i}", slot, revision + 1, op, at, readings)
            store.insert_writes([write], claim=claim_token(tenant, "s", slot))


@settings(fuzz, max_examples=max(5, EXAMPLES // 20))
@given(STEPS)
def test_the_sql_shows_what_the_rules_say(runtime: Any, steps: list[tuple[str, int, int]]) -> None:
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    sql, rules = ClickHouseSessionStore(runtime.client), InMemorySessionStore()
    _apply(sql, tenant, steps)
    _apply(rules, tenant, steps)
    got, want = sql.heads(tenant, ["s"])[0]["s"], rules.heads(tenant, ["s"])[0]["s"]
    assert (got.revision, got.base_revision, got.reading_count) == (
        want.revision,
        want.base_revision,
        want.reading_count,
    )
    assert got.session.status == want.session.status and got.session.metadata == want.session.metadata
    assert got.session.created_at == want.session.created_at
    assert sql.load_readings(tenant, ["s"]) == rules.load_readings(tenant, ["s"])
    assert [(w.slot, w.revision) for w in sql.load_log(tenant, ["s"])["s"]] == [
        (w.slot, w.revision) for w in rules.load_log(tenant, ["s"])["s"]
    ]
    # The analysts' views agree with the API's reads.
    shown = runtime.client.query(
        "SELECT count() FROM meter_values WHERE tenant_id = {t:String}", parameters={"t": tenant}
    ).result_rows[0][0]
    status = runtime.client.query(
        "SELECT status, revision, base_revision FROM sessions WHERE tenant_id = {t:String}", parameters={"t": tenant}
    ).result_rows
    assert shown == want.reading_count and status == [(want.session.status, want.revision, want.base_revision)]


def _analysis(tenant: str, write: SessionWrite) -> AnalysisRecord:
    return AnalysisRecord(
        tenant,
        "s",
        f"inf-{write.write_id}",
        "ST",
        "1",
        write.committed_at,
        0.1,
        False,
        0.9,
        False,
        False,
        False,
        len(write.readings),
        60.0,
        "v",
        (),
        (),
        0,
        unfamiliar_score=0.25,
    )


def test_of_two_writes_claiming_one_revision_only_the_first_is_stored_and_settles(runtime: Any) -> None:
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    store = ClickHouseSessionStore(runtime.client)
    session = SessionRecord(tenant, "s", "ST", "1", None, "active", {}, T0, T0)
    one = SessionWrite(session, "api:one", api_slot(1), 1, CREATE, T0, ())
    two = SessionWrite(session, "api:two", api_slot(1), 1, CREATE, T0 + timedelta(milliseconds=1), ())
    token = claim_token(tenant, "s", api_slot(1))
    store.insert_writes([one], claim=token)
    store.insert_writes([two], claim=token)  # dropped by ClickHouse's insert deduplication
    assert [w.write_id for w in store.load_log(tenant, ["s"])["s"]] == ["api:one"]
    assert store.settle_claim(two, _analysis(tenant, two)) is False
    assert store.settle_claim(two, AnalysisFailure(T0, "x")) is False
    assert store.settle_claim(two, None) is False
    assert store.settle_claim(one, _analysis(tenant, one)) is True
    stored = store.current_analyses(tenant, ["s"])["s"]
    assert stored.inference_id == "inf-api:one" and stored.unfamiliar_score == 0.25
    assert store.latest_failures(tenant, ["s"]) == {}


def test_even_a_write_stored_past_the_deduplication_window_loses_to_the_earlier_one(runtime: Any) -> None:
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    store = ClickHouseSessionStore(runtime.client)
    session = SessionRecord(tenant, "s", "ST", "1", None, "active", {}, T0, T0)
    one = SessionWrite(session, "api:one", api_slot(1), 1, CREATE, T0, ())
    late = SessionWrite(session, "api:late", api_slot(1), 1, CREATE, T0 + timedelta(seconds=1), ())
    store.insert_writes([one], claim="token-one")
    store.insert_writes([late], claim="token-forgotten")
    assert store.settle_claim(late, None) is False and store.settle_claim(one, None) is True
    assert [w.write_id for w in store.load_log(tenant, ["s"])["s"]] == ["api:one"]


class Counting:
    """A client that counts what reaches ClickHouse."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.client, name)
        if name in {"query", "command", "insert", "raw_query", "raw_insert"}:

            def counted(*args: Any, **kwargs: Any) -> Any:
                self.calls.append(name)
                return attr(*args, **kwargs)

            return counted
        return attr


def test_a_post_makes_at_most_three_round_trips(runtime: Any) -> None:
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    counting = Counting(runtime.client)
    store = ClickHouseSessionStore(counting)  # type: ignore[arg-type]
    service = SessionService(store, SessionAnalyser(store, FakeCsar2()), runtime.settings.bounds)
    values = [
        {"timestamp": (datetime.now(UTC) - timedelta(minutes=30 - 5 * i)).isoformat(), "value": v, "unit": "kWh"}
        for i, v in enumerate([5.0, 6.0, 4.0, 5.0])
    ]
    body = {"sessionId": "s", "chargingStationId": "ST", "connectorId": "1", "meterValues": values}
    answer = service.create(tenant, msgspec.convert(body, CreateSessionRequest))
    assert answer.is_anomaly  # an anomalous session: the recurrence check is part of the 3
    assert len(counting.calls) == 3, counting.calls
    assert len(store.load_readings(tenant, ["s"])["s"]) == 4


def test_the_outbox_finds_api_writes_until_published_and_recovers_a_lost_index_row(runtime: Any) -> None:
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    store = ClickHouseSessionStore(runtime.client)
    since = datetime.now(UTC) - timedelta(seconds=5)
    now = datetime.now(UTC)
    session = SessionRecord(tenant, "s", "ST", "1", None, "active", {}, now, now)
    reading = (StoredReading(now, ENERGY, "kWh", 1.0),)
    api = SessionWrite(session, "api:1", api_slot(1), 1, CREATE, now, reading)
    stream = SessionWrite(session, "kafka:mv:0:1", "kafka:mv:0:1", 1, STREAM, now, reading)
    store.insert_writes([api], claim=claim_token(tenant, "s", api.slot))
    store.insert_writes([stream])

    def mine() -> list[str]:
        return [
            w.write_id for w in store.api_writes_since(since, 1000, unpublished=True) if w.session.tenant_id == tenant
        ]

    assert mine() == ["api:1"]
    assert (tenant, "s") in store.sessions_written_by_api(since)
    store.mark_published([api], datetime.now(UTC))
    assert mine() == []
    # The index row is gone (as after a crash between the write and the view's insert): recovery restores it.
    runtime.client.command("DELETE FROM api_write_outbox WHERE tenant_id = {t:String}", parameters={"t": tenant})
    runtime.client.command("DELETE FROM session_publications WHERE tenant_id = {t:String}", parameters={"t": tenant})
    assert mine() == []
    store.recover_outbox(since)
    assert mine() == ["api:1"]
