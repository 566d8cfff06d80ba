"""Wiring: the clients one evwatch process holds open, and the services built on them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from bytewax.dataflow import Dataflow
from clickhouse_connect.driver.client import Client

from entrypoints.bootstrap import bootstrap
from evwatch.analysis import SessionAnalyser
from evwatch.clock import utc_now, wall_clock
from evwatch.config import Settings
from evwatch.inference.models import csar2_model, shade_model
from evwatch.inference.triton import TritonModel
from evwatch.kafka import ConfirmedPublisher, is_reachable
from evwatch.llm import OpenAIChat, chat_client
from evwatch.private_files import read_or_create_secret
from evwatch.storage.anomalies import ClickHouseTriageStore
from evwatch.storage.clickhouse import connect, ping
from evwatch.storage.explanations import ClickHouseExplanationStore
from evwatch.storage.members import ClickHouseMemberStore
from evwatch.storage.migrations import migrate
from evwatch.storage.organizations import ClickHouseOrganizationStore
from evwatch.storage.readonly_sql import ReadOnlyEngine
from evwatch.storage.sessions import ClickHouseSessionStore
from evwatch.storage.stations import ClickHouseStationStore
from evwatch.storage.statistics import ClickHouseStatisticsFacts
from evwatch.storage.tenants import ClickHouseTenantStore
from evwatch.storage.webhooks import ClickHouseWebhookStore
from evwatch.tokens import TokenVerifier
from evwatch.webhook_http import post
from evwatch.webhook_targets import TargetGuard
from models.shade.metadata import threshold
from pipeline.flow import build_flow
from pipeline.incoming import Edge
from pipeline.io import kafka_io
from pipeline.runner import PipelineThread
from pipeline.sessions.ingest import SessionIngest
from pipeline.sessions.steps import SessionDeps
from pipeline.stations.processor import StationWindowConfig
from pipeline.stations.steps import StationDeps
from pipeline.tenants import KnownTenants
from serving.anomalies.service import AnomalyService
from serving.api_keys.service import ApiKeyService
from serving.auth import Authenticator, KeyCache
from serving.dependencies import ApiServices, ReadinessReport
from serving.explanations.service import ExplanationService
from serving.explanations.writer import Writer
from serving.key_usage import KeyUsage
from serving.members.directory import MemberDirectory
from serving.members.service import MemberService
from serving.organization.service import OrganizationService
from serving.sessions.service import SessionService
from serving.sql_http.gateway import SqlGateway
from serving.sql_http.server import SqlHttpServer
from serving.stations.service import StationService
from serving.statistics.service import StatisticsService
from serving.tenants.service import TenantService
from serving.webhooks.service import WebhookService
from workers.analysis_sweeper import AnalysisSweeper
from workers.follow import Follower
from workers.loop import WorkerThread
from workers.outbox import OutboxRelay
from workers.triage import TriageWorker
from workers.webhook_fanout import WebhookFanout, events_consumer
from workers.webhook_sender import WebhookSender

log = logging.getLogger("evwatch.runtime")


def dataflow(settings: Settings, client: Client, csar2: TritonModel, stop: threading.Event) -> Dataflow:
    """The dataflow over Kafka, writing through `client` (its own handle on the store)."""
    sessions = ClickHouseSessionStore(client)
    analyse = settings.pipeline.analysis_enabled
    edge = Edge(settings.bounds, wall_clock, KnownTenants(ClickHouseTenantStore(client).existing), stop)
    return build_flow(
        kafka_io(settings.kafka, settings.pipeline.batch_size, stop),
        edge,
        SessionDeps(
            ingest=SessionIngest(sessions, settings.bounds, stop),
            analyser=SessionAnalyser(sessions, csar2) if analyse else None,
            debounce=timedelta(seconds=settings.pipeline.analysis_debounce_s),
            stop=stop,
        ),
        StationDeps(
            store=ClickHouseStationStore(client),
            infer=shade_model(settings.triton),
            threshold=threshold(),
            windows=StationWindowConfig.from_settings(settings.pipeline),
            clock=wall_clock,
            stop=stop,
        ),
    )


def webhook_workers(settings: Settings) -> list[WorkerThread]:
    """The webhook fan-out (events to queued deliveries) and sender (docs/webhooks.md), each with its own handle."""
    config = settings.webhooks
    announcer = ConfirmedPublisher(settings.kafka, settings.kafka.topics.events)
    stop = threading.Event()
    sender = WebhookSender(
        ClickHouseWebhookStore(connect(settings)),
        TargetGuard(config),
        post,
        config,
        utc_now,
        announcer.publish,
        stop,
    )
    consumer = events_consumer(settings.kafka, config.consumer_group)
    # in one process the fan-out wakes the sender, so a queued delivery does not wait for the next poll
    fanout = WebhookFanout(consumer, ClickHouseWebhookStore(connect(settings)), utc_now, on_queued=sender.wake)

    def stop_sender() -> None:
        sender.close()
        announcer.close()

    return [
        # the fan-out's pass waits on the consumer itself, so it needs no pause of its own between passes
        WorkerThread("webhook-fanout", fanout, 0.05, on_stop=consumer.close),
        # the sender's pass waits for a wake or the poll interval itself
        WorkerThread("webhook-sender", sender, config.poll_interval_s, stop=stop, on_stop=stop_sender),
    ]


def workers(settings: Settings, csar2: TritonModel) -> list[WorkerThread]:
    """The outbox relay, the sweeper of pending analyses, triage and the webhook workers, each with its own
    handle on the store."""
    horizon = timedelta(seconds=settings.pipeline.follow_horizon_s)
    relay_store = ClickHouseSessionStore(connect(settings))
    publisher = ConfirmedPublisher(settings.kafka, settings.kafka.topics.api_writes)
    relay = OutboxRelay(
        relay_store, publisher.publish, settings.kafka.max_message_bytes, Follower(utc_now, horizon), utc_now
    )
    sweep_store = ClickHouseSessionStore(connect(settings))
    stop = threading.Event()
    grace = timedelta(seconds=settings.pipeline.sweep_grace_s)
    sweeper = AnalysisSweeper(
        sweep_store, SessionAnalyser(sweep_store, csar2), Follower(utc_now, horizon), utc_now, stop, grace
    )
    events = ConfirmedPublisher(settings.kafka, settings.kafka.topics.events)
    # follows analyses by their time: a short lag, since an analysis is stored as soon as it is made
    triage = TriageWorker(
        ClickHouseTriageStore(connect(settings)),
        events.publish,
        Follower(utc_now, horizon, lag=timedelta(seconds=30)),
        utc_now,
    )
    return [
        WorkerThread("outbox", relay, settings.pipeline.relay_interval_s, on_stop=publisher.close),
        WorkerThread("sweeper", sweeper, settings.pipeline.sweep_interval_s, stop=stop),
        WorkerThread("triage", triage, settings.pipeline.relay_interval_s, on_stop=events.close),
        *webhook_workers(settings),
    ]


def token_verifier(settings: Settings) -> TokenVerifier:
    """Member tokens: the issuer's JWKS when configured, else the configured or embedded HS256 secret."""
    if settings.auth.jwks_url:
        return TokenVerifier(settings.auth, None)
    return TokenVerifier(settings.auth, token_secret(settings))


def token_secret(settings: Settings) -> str:
    """The HS256 secret of the embedded mode: configured, or made once under `var/` (0600)."""
    return settings.auth.jwt_secret or read_or_create_secret(settings.jwt_secret_file)


def pipeline_thread(settings: Settings, csar2: TritonModel) -> PipelineThread:
    """The dataflow on a background thread with recovery under `var/`."""
    # Its own handle on the store, so its writes don't queue behind API reads.
    client = connect(settings)
    return PipelineThread(
        lambda stop: dataflow(settings, client, csar2, stop),
        settings.recovery_dir,
        timedelta(seconds=settings.pipeline.snapshot_interval_s),
    )


def sql_http_server(settings: Settings, client: Client, key_usage: KeyUsage) -> SqlHttpServer | None:
    """The read-only SQL endpoint over this process's chDB (docs/sql.md): off when configured off, and
    with a ClickHouse server, which analysts query directly."""
    config = settings.sql_http
    if not config.address or not settings.clickhouse_dsn.startswith("chdb://"):
        return None
    engine = ReadOnlyEngine(settings.clickhouse_dsn)
    # API keys only: the endpoint's password is a key (member tokens expire too soon for SQL clients' configs)
    authenticator = Authenticator(KeyCache(ClickHouseTenantStore(client).find_api_key), key_usage)
    gateway = SqlGateway(engine, authenticator.authenticate, config, settings.clickhouse.database)
    timezone = str(client.command("SELECT timezone()"))
    try:
        server = SqlHttpServer(
            gateway,
            config.host,
            config.port,
            version=engine.version(),
            timezone=timezone,
            max_body=config.max_query_bytes,
        )
    except OSError as exc:
        # the API and the dataflow matter more than the analysts' port: say so loudly, serve the rest
        log.error(
            "SQL endpoint not started: cannot listen on %s (%s); set EVWATCH_SQL_HTTP_ADDRESS", config.address, exc
        )
        return None
    server.start()
    return server


@dataclass
class Runtime:
    """Everything one evwatch process holds open."""

    settings: Settings
    client: Client
    csar2: TritonModel
    key_usage: KeyUsage
    pipeline: PipelineThread | None = None
    workers: list[WorkerThread] = field(default_factory=list)
    # the LLM that writes explanations and answers, when one is configured
    chat: OpenAIChat | None = None
    # the read-only SQL endpoint of the embedded mode
    sql_http: SqlHttpServer | None = None

    @classmethod
    def open(cls, settings: Settings, *, start_pipeline: bool | None = None) -> Runtime:
        """Connect, migrate, bootstrap, and start the dataflow when configured."""
        client = connect(settings)
        migrate(client)
        bootstrap(ClickHouseTenantStore(client), settings.var_dir)
        csar2 = csar2_model(settings.triton)
        # keys' lastUsedAt, written in batches by its own thread on its own handle
        key_usage = KeyUsage(ClickHouseTenantStore(connect(settings)).record_key_usage)
        usage = WorkerThread("key-usage", key_usage.flush, settings.auth.last_used_flush_s, on_stop=key_usage.close)
        usage.start()
        runtime = cls(settings, client, csar2, key_usage, chat=chat_client(settings.llm))
        if settings.pipeline.enabled if start_pipeline is None else start_pipeline:
            runtime.pipeline = pipeline_thread(settings, csar2)
            runtime.pipeline.start()
            runtime.workers = workers(settings, csar2)
            for worker in runtime.workers:
                worker.start()
        runtime.workers.append(usage)
        runtime.sql_http = sql_http_server(settings, client, key_usage)
        return runtime

    def api_services(self) -> ApiServices:
        """The services the API calls, over this runtime's clients."""
        sessions = ClickHouseSessionStore(self.client)
        stations = ClickHouseStationStore(self.client)
        tenants = ClickHouseTenantStore(self.client)
        members = ClickHouseMemberStore(self.client)
        directory = MemberDirectory(members, lambda tenant_id: bool(tenants.existing({tenant_id})))
        triage = ClickHouseTriageStore(self.client)
        return ApiServices(
            sessions=SessionService(sessions, SessionAnalyser(sessions, self.csar2), self.settings.bounds),
            explanations=ExplanationService(
                sessions, stations, triage, ClickHouseExplanationStore(self.client), Writer(self.chat)
            ),
            stations=StationService(stations),
            statistics=StatisticsService(ClickHouseStatisticsFacts(self.client), stations, triage.open_issue_count),
            anomalies=AnomalyService(triage, sessions),
            tenants=TenantService(tenants),
            keys_admin=ApiKeyService(tenants, timedelta(days=self.settings.api.key_lifetime_days)),
            members=MemberService(members, directory),
            organization=OrganizationService(
                ClickHouseOrganizationStore(self.client), tenants, directory, self.settings.auth.open_signup
            ),
            webhooks=WebhookService(ClickHouseWebhookStore(self.client), TargetGuard(self.settings.webhooks)),
            authenticator=Authenticator(
                KeyCache(tenants.find_api_key), self.key_usage, token_verifier(self.settings), directory
            ),
            readiness=self.readiness,
        )

    def readiness(self) -> ReadinessReport:
        """Reachability of every dependency (and the dataflow, when it runs, with its restarts)."""
        checks = {
            "kafka": is_reachable(self.settings.kafka.bootstrap_servers, config=self.settings.kafka.client_config),
            "triton": self.csar2.ready(),
            "clickhouse": ping(self.client),
        }
        details: dict[str, object] = {}
        if self.pipeline is not None:
            checks["pipeline"] = self.pipeline.alive
            error = self.pipeline.error
            details["pipeline"] = {
                "restarts": self.pipeline.restarts,
                "lastError": None if error is None else f"{type(error).__name__}: {error}"[:500],
            }
        if self.sql_http is not None:
            checks["sql-http"] = self.sql_http.alive
        for worker in self.workers:
            checks[worker.name] = worker.alive
            if worker.error is not None:
                details[worker.name] = {"lastError": f"{type(worker.error).__name__}: {worker.error}"[:500]}
        return ReadinessReport(checks, details)

    def close(self) -> None:
        """Stop the workers and the dataflow, close the store."""
        if self.sql_http is not None:
            self.sql_http.close()
        for worker in self.workers:
            worker.stop()
        if self.pipeline is not None:
            self.pipeline.stop()
        if self.chat is not None:
            self.chat.close()
        self.client.close()


@contextmanager
def open_api_services(settings: Settings) -> Iterator[ApiServices]:
    """A runtime for the lifetime of the API process."""
    runtime = Runtime.open(settings)
    try:
        yield runtime.api_services()
    finally:
        runtime.close()
