"""Typed configuration: one `Settings` object read from the environment once and passed down."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec

from evwatch.domain.bounds import Bounds


class Topics(msgspec.Struct, frozen=True, kw_only=True):
    """Kafka topic names."""

    meter_values: str = "evwatch.meter-values"
    # Internal: only the API produces here (docs/kafka.md, trust model).
    api_writes: str = "evwatch.api-writes"
    station_status: str = "evwatch.station-status"
    batches: str = "evwatch.batches"
    dead_letter: str = "evwatch.dead-letter"
    events: str = "evwatch.events"

    def suffixed(self, suffix: str) -> Topics:
        """The same topics with `-<suffix>` appended (isolated runs: tests, benchmarks, staging)."""
        return Topics(**{name: f"{getattr(self, name)}-{suffix}" for name in self.__struct_fields__})

    def all(self) -> tuple[str, ...]:
        """Every topic evwatch creates at start."""
        return (self.meter_values, self.api_writes, self.station_status, self.batches, self.dead_letter, self.events)


class KafkaSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Where the broker is, and whether evwatch starts a local one."""

    bootstrap_servers: str = "127.0.0.1:9092"
    start_local: bool = True
    controller_port: int = 9093
    partitions: int = 4
    topics: Topics = Topics()
    # librdkafka settings for production brokers (SASL, TLS): see docs/kafka.md.
    client_config: dict[str, str] = msgspec.field(default_factory=dict)
    # The largest message evwatch produces, and the `max.message.bytes` of the topics it creates. An
    # API write (up to api.max_body_bytes) is relayed in as many messages as it takes (docs/kafka.md).
    max_message_bytes: int = 1024 * 1024

    @property
    def topic_config(self) -> dict[str, str]:
        """Configs of the topics evwatch creates."""
        return {"max.message.bytes": str(self.max_message_bytes)}

    @property
    def port(self) -> int:
        """Port of the first bootstrap server (the local broker listens there)."""
        return int(self.bootstrap_servers.split(",")[0].rsplit(":", 1)[1])


class TritonSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Triton endpoint, and whether evwatch starts the bundled CPU tritonserver."""

    host: str = "127.0.0.1"
    grpc_port: int = 8001
    http_port: int = 8002
    start_local: bool = True
    request_timeout_s: float = 30.0

    @property
    def grpc_url(self) -> str:
        """host:port for tritonclient.grpc."""
        return f"{self.host}:{self.grpc_port}"

    @property
    def http_url(self) -> str:
        """host:port for tritonclient.http."""
        return f"{self.host}:{self.http_port}"


class ClickHouseSettings(msgspec.Struct, frozen=True, kw_only=True):
    """`chdb://<path>` for the embedded engine or `http(s)://...` for a ClickHouse server."""

    dsn: str = ""
    database: str = "evwatch"


class ApiSettings(msgspec.Struct, frozen=True, kw_only=True):
    """HTTP API binding and limits."""

    host: str = "127.0.0.1"
    port: int = 8000
    # A long real session (50,000 meter values at ~150 bytes each) must fit.
    max_body_bytes: int = 16 * 1024 * 1024
    # Per API key: a steady rate and a burst allowance (token bucket); generous for dashboards and backends.
    rate_per_s: float = 50.0
    rate_burst: float = 200.0
    # Keys created through the API stop working after this many days (the server sets `expiresAt`).
    key_lifetime_days: int = 90


class AuthSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Member tokens (JWT) and key bookkeeping (docs/auth.md).

    With `jwks_url` set, tokens are verified with the issuer's published keys (RS256/ES256); without
    it, with an HS256 secret (`jwt_secret`, or one generated under `var/` on first use) that
    `evwatch tokens issue` signs with: the embedded default.
    """

    jwks_url: str = ""
    issuer: str = "evwatch"
    audience: str = "evwatch-api"
    jwt_secret: str = ""
    # The JWKS is refetched after this long, and at most once per cooldown for an unknown `kid`
    # (a rotation), so random `kid`s cannot make every request fetch.
    jwks_cache_s: float = 300.0
    jwks_cooldown_s: float = 30.0
    # Clock skew tolerated on `exp` and `nbf`.
    leeway_s: float = 30.0
    # A verified token without `tenant_id` may create its own tenant with PUT /v1/organization.
    open_signup: bool = True
    # `lastUsedAt` of keys is kept in memory and written at most this often per key and worker.
    last_used_flush_s: float = 60.0


class LlmSettings(msgspec.Struct, frozen=True, kw_only=True):
    """An OpenAI-compatible chat-completions endpoint that writes explanations and answers
    (docs/explain.md); off while `base_url` is empty, and then the templates write them."""

    # e.g. https://api.openai.com/v1: requests go to <base_url>/chat/completions
    base_url: str = ""
    model: str = ""
    api_key: str = ""
    # A slow answer is dropped for the template rather than keeping the request waiting.
    timeout_s: float = 20.0

    @property
    def enabled(self) -> bool:
        """Whether an endpoint is configured."""
        return bool(self.base_url.strip())


class PipelineSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Bytewax dataflow knobs."""

    enabled: bool = True
    # Off: store readings only (ingest-only deployments, and the no-inference benchmark baseline).
    analysis_enabled: bool = True
    snapshot_interval_s: float = 5.0
    # A session is re-analysed at most this often while readings keep arriving.
    analysis_debounce_s: float = 2.0
    batch_size: int = 500
    # Station-day windows (see pipeline/station_processor.StationWindowConfig for what each means).
    station_close_after_s: float = 2 * 3600.0
    station_partial_interval_s: float = 15 * 60.0
    station_quiet_s: float = 300.0
    station_grace_s: float = 1800.0
    station_settle_s: float = 10.0
    station_tick_s: float = 60.0
    # The workers that follow committed API writes (workers/): the outbox relay and the sweeper of
    # pending analyses. They look this far back when they start, and re-scan it now and then.
    relay_interval_s: float = 1.0
    sweep_interval_s: float = 10.0
    # A write this recent is left to the request (or the dataflow) that wrote it.
    sweep_grace_s: float = 10.0
    follow_horizon_s: float = 7 * 86400.0


class WebhookSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Outgoing webhooks (docs/webhooks.md): what a receiver URL may be, and how deliveries are retried."""

    # http:// receivers, for local development only: signatures still protect the body, nothing hides it.
    allow_http: bool = False
    # Hosts (exact names) and IP networks (CIDR or single addresses) exempt from the address checks:
    # tests and on-premises receivers on private networks.
    allow_list: tuple[str, ...] = ()
    # One attempt's whole budget: connect, TLS, request and answer.
    timeout_s: float = 10.0
    # Attempts in flight at once across all receivers (each receiver has at most one, to keep order).
    concurrency: int = 8
    # Waits before the 2nd, 3rd, ... attempt; after the last one fails the delivery is given up.
    retry_schedule_s: tuple[float, ...] = (5.0, 30.0, 120.0, 600.0, 3600.0, 6 * 3600.0, 12 * 3600.0, 24 * 3600.0)
    # Each wait is stretched or shrunk by up to this fraction at random, so receivers that recover are not stampeded.
    jitter: float = 0.2
    # A receiver is disabled after this many failed attempts in a row (two deliveries' worth of the schedule).
    disable_after: int = 18
    # The sender looks for due deliveries this often when idle.
    poll_interval_s: float = 1.0
    # Kafka consumer group of the fan-out from evwatch.events to deliveries.
    consumer_group: str = "evwatch-webhooks"


class SqlHttpSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The read-only SQL endpoint of the embedded mode (ClickHouse's HTTP interface, docs/sql.md)."""

    # host:port, or "" for off; a ClickHouse server (an http(s) DSN) serves analysts itself, so it is off there.
    address: str = "127.0.0.1:8123"
    # Server-side limits of every query (ClickHouse settings; the readonly caller cannot change them).
    max_execution_time_s: float = 30.0
    max_memory_bytes: int = 1024 * 1024 * 1024
    max_result_rows: int = 1_000_000
    max_result_bytes: int = 256 * 1024 * 1024
    max_threads: int = 2
    # Queries running at once; more wait up to queue_timeout_s, then are refused, so analysts cannot
    # starve the dataflow and the API of the cores they share.
    max_concurrent_queries: int = 4
    queue_timeout_s: float = 10.0
    # A query text (URL parameter and body together) larger than this is refused.
    max_query_bytes: int = 1024 * 1024

    @property
    def host(self) -> str:
        """The address to listen on."""
        return self.address.rsplit(":", 1)[0]

    @property
    def port(self) -> int:
        """The port to listen on (0: any free one)."""
        return int(self.address.rsplit(":", 1)[1])


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything evwatch needs to run, with the embedded defaults."""

    var_dir: Path = Path("var")
    kafka: KafkaSettings = KafkaSettings()
    triton: TritonSettings = TritonSettings()
    clickhouse: ClickHouseSettings = ClickHouseSettings()
    api: ApiSettings = ApiSettings()
    auth: AuthSettings = AuthSettings()
    pipeline: PipelineSettings = PipelineSettings()
    bounds: Bounds = Bounds()
    llm: LlmSettings = LlmSettings()
    webhooks: WebhookSettings = WebhookSettings()
    sql_http: SqlHttpSettings = SqlHttpSettings()

    @property
    def clickhouse_dsn(self) -> str:
        """The configured DSN, or the embedded chDB path under `var_dir`."""
        return self.clickhouse.dsn or f"chdb://{(self.var_dir / 'chdb').resolve()}"

    @property
    def model_repository(self) -> Path:
        """Where `evwatch models export` writes the Triton model repository."""
        return self.var_dir / "model-repository"

    @property
    def jwt_secret_file(self) -> Path:
        """The embedded HS256 secret for member tokens, made on first use when none is configured."""
        return self.var_dir / "jwt-secret"

    @property
    def recovery_dir(self) -> Path:
        """Bytewax recovery database (source offsets and operator state)."""
        return self.var_dir / "bytewax-recovery"


# EVWATCH_KAFKA_<name> -> librdkafka setting.
_KAFKA_SECURITY = {
    "SECURITY_PROTOCOL": "security.protocol",
    "SASL_MECHANISM": "sasl.mechanism",
    "SASL_USERNAME": "sasl.username",
    "SASL_PASSWORD": "sasl.password",
    "SSL_CA_LOCATION": "ssl.ca.location",
}


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    msg = f"expected a boolean (true/false), got {value!r}"
    raise ValueError(msg)


def _list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _address(value: str) -> str:
    """host:port, or "" for off."""
    if value.strip().lower() in {"", "off", "false", "0", "no"}:
        return ""
    host, sep, port = value.strip().rpartition(":")
    if not sep or not host or not port.isdigit():
        msg = f"expected host:port or off, got {value!r}"
        raise ValueError(msg)
    return value.strip()


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read `EVWATCH_*` variables over the defaults; the only place the environment is read."""
    env = os.environ if env is None else env
    d = Settings()

    def get(name: str, default: str) -> str:
        return env.get(f"EVWATCH_{name}", default)

    security = {
        key: env[f"EVWATCH_KAFKA_{name}"] for name, key in _KAFKA_SECURITY.items() if env.get(f"EVWATCH_KAFKA_{name}")
    }
    kafka = KafkaSettings(
        client_config=security,
        bootstrap_servers=get("KAFKA_BOOTSTRAP_SERVERS", d.kafka.bootstrap_servers),
        start_local=_flag(get("KAFKA_START_LOCAL", str(d.kafka.start_local))),
        controller_port=int(get("KAFKA_CONTROLLER_PORT", str(d.kafka.controller_port))),
        partitions=int(get("KAFKA_PARTITIONS", str(d.kafka.partitions))),
        max_message_bytes=int(get("KAFKA_MAX_MESSAGE_BYTES", str(d.kafka.max_message_bytes))),
        topics=Topics(
            meter_values=get("TOPIC_METER_VALUES", d.kafka.topics.meter_values),
            api_writes=get("TOPIC_API_WRITES", d.kafka.topics.api_writes),
            station_status=get("TOPIC_STATION_STATUS", d.kafka.topics.station_status),
            batches=get("TOPIC_BATCHES", d.kafka.topics.batches),
            dead_letter=get("TOPIC_DEAD_LETTER", d.kafka.topics.dead_letter),
            events=get("TOPIC_EVENTS", d.kafka.topics.events),
        ),
    )
    triton = TritonSettings(
        host=get("TRITON_HOST", d.triton.host),
        grpc_port=int(get("TRITON_GRPC_PORT", str(d.triton.grpc_port))),
        http_port=int(get("TRITON_HTTP_PORT", str(d.triton.http_port))),
        start_local=_flag(get("TRITON_START_LOCAL", str(d.triton.start_local))),
        request_timeout_s=float(get("TRITON_TIMEOUT_S", str(d.triton.request_timeout_s))),
    )
    bounds = Bounds(
        earliest=datetime.fromisoformat(get("BOUNDS_EARLIEST", d.bounds.earliest.isoformat())).astimezone(UTC),
        future=timedelta(seconds=float(get("BOUNDS_FUTURE_S", str(d.bounds.future.total_seconds())))),
        max_readings_per_request=int(get("BOUNDS_MAX_READINGS_PER_REQUEST", str(d.bounds.max_readings_per_request))),
        max_readings_per_session=int(get("BOUNDS_MAX_READINGS_PER_SESSION", str(d.bounds.max_readings_per_session))),
        max_metadata_bytes=int(get("BOUNDS_MAX_METADATA_BYTES", str(d.bounds.max_metadata_bytes))),
    )
    return Settings(
        bounds=bounds,
        var_dir=Path(get("VAR_DIR", str(d.var_dir))),
        kafka=kafka,
        triton=triton,
        clickhouse=ClickHouseSettings(
            dsn=get("CLICKHOUSE_DSN", d.clickhouse.dsn),
            database=get("CLICKHOUSE_DATABASE", d.clickhouse.database),
        ),
        api=ApiSettings(
            host=get("API_HOST", d.api.host),
            port=int(get("API_PORT", str(d.api.port))),
            max_body_bytes=int(get("API_MAX_BODY_BYTES", str(d.api.max_body_bytes))),
            rate_per_s=float(get("API_RATE_PER_S", str(d.api.rate_per_s))),
            rate_burst=float(get("API_RATE_BURST", str(d.api.rate_burst))),
            key_lifetime_days=int(get("API_KEY_LIFETIME_DAYS", str(d.api.key_lifetime_days))),
        ),
        auth=AuthSettings(
            jwks_url=get("AUTH_JWKS_URL", d.auth.jwks_url),
            issuer=get("AUTH_ISSUER", d.auth.issuer),
            audience=get("AUTH_AUDIENCE", d.auth.audience),
            jwt_secret=get("AUTH_JWT_SECRET", d.auth.jwt_secret),
            jwks_cache_s=float(get("AUTH_JWKS_CACHE_S", str(d.auth.jwks_cache_s))),
            jwks_cooldown_s=float(get("AUTH_JWKS_COOLDOWN_S", str(d.auth.jwks_cooldown_s))),
            leeway_s=float(get("AUTH_LEEWAY_S", str(d.auth.leeway_s))),
            open_signup=_flag(get("AUTH_OPEN_SIGNUP", str(d.auth.open_signup))),
            last_used_flush_s=float(get("AUTH_LAST_USED_FLUSH_S", str(d.auth.last_used_flush_s))),
        ),
        llm=LlmSettings(
            base_url=get("LLM_BASE_URL", d.llm.base_url),
            model=get("LLM_MODEL", d.llm.model),
            api_key=get("LLM_API_KEY", d.llm.api_key),
            timeout_s=float(get("LLM_TIMEOUT_S", str(d.llm.timeout_s))),
        ),
        webhooks=WebhookSettings(
            allow_http=_flag(get("WEBHOOKS_ALLOW_HTTP", str(d.webhooks.allow_http))),
            allow_list=_list(get("WEBHOOKS_ALLOW_LIST", ",".join(d.webhooks.allow_list))),
            timeout_s=float(get("WEBHOOKS_TIMEOUT_S", str(d.webhooks.timeout_s))),
            concurrency=int(get("WEBHOOKS_CONCURRENCY", str(d.webhooks.concurrency))),
            retry_schedule_s=tuple(
                float(v)
                for v in _list(get("WEBHOOKS_RETRY_SCHEDULE_S", ",".join(map(str, d.webhooks.retry_schedule_s))))
            ),
            jitter=float(get("WEBHOOKS_JITTER", str(d.webhooks.jitter))),
            disable_after=int(get("WEBHOOKS_DISABLE_AFTER", str(d.webhooks.disable_after))),
            poll_interval_s=float(get("WEBHOOKS_POLL_INTERVAL_S", str(d.webhooks.poll_interval_s))),
            consumer_group=get("WEBHOOKS_CONSUMER_GROUP", d.webhooks.consumer_group),
        ),
        sql_http=SqlHttpSettings(
            address=_address(get("SQL_HTTP_ADDRESS", d.sql_http.address)),
            max_execution_time_s=float(get("SQL_HTTP_MAX_EXECUTION_TIME_S", str(d.sql_http.max_execution_time_s))),
            max_memory_bytes=int(get("SQL_HTTP_MAX_MEMORY_BYTES", str(d.sql_http.max_memory_bytes))),
            max_result_rows=int(get("SQL_HTTP_MAX_RESULT_ROWS", str(d.sql_http.max_result_rows))),
            max_result_bytes=int(get("SQL_HTTP_MAX_RESULT_BYTES", str(d.sql_http.max_result_bytes))),
            max_threads=int(get("SQL_HTTP_MAX_THREADS", str(d.sql_http.max_threads))),
            max_concurrent_queries=int(get("SQL_HTTP_MAX_CONCURRENT_QUERIES", str(d.sql_http.max_concurrent_queries))),
            queue_timeout_s=float(get("SQL_HTTP_QUEUE_TIMEOUT_S", str(d.sql_http.queue_timeout_s))),
            max_query_bytes=int(get("SQL_HTTP_MAX_QUERY_BYTES", str(d.sql_http.max_query_bytes))),
        ),
        pipeline=PipelineSettings(
            enabled=_flag(get("PIPELINE_ENABLED", str(d.pipeline.enabled))),
            analysis_enabled=_flag(get("PIPELINE_ANALYSIS_ENABLED", str(d.pipeline.analysis_enabled))),
            snapshot_interval_s=float(get("PIPELINE_SNAPSHOT_S", str(d.pipeline.snapshot_interval_s))),
            analysis_debounce_s=float(get("PIPELINE_DEBOUNCE_S", str(d.pipeline.analysis_debounce_s))),
            batch_size=int(get("PIPELINE_BATCH_SIZE", str(d.pipeline.batch_size))),
            station_close_after_s=float(get("PIPELINE_STATION_CLOSE_AFTER_S", str(d.pipeline.station_close_after_s))),
            station_partial_interval_s=float(
                get("PIPELINE_STATION_PARTIAL_INTERVAL_S", str(d.pipeline.station_partial_interval_s))
            ),
            station_quiet_s=float(get("PIPELINE_STATION_QUIET_S", str(d.pipeline.station_quiet_s))),
            station_grace_s=float(get("PIPELINE_STATION_GRACE_S", str(d.pipeline.station_grace_s))),
            station_settle_s=float(get("PIPELINE_STATION_SETTLE_S", str(d.pipeline.station_settle_s))),
            station_tick_s=float(get("PIPELINE_STATION_TICK_S", str(d.pipeline.station_tick_s))),
            relay_interval_s=float(get("PIPELINE_RELAY_INTERVAL_S", str(d.pipeline.relay_interval_s))),
            sweep_interval_s=float(get("PIPELINE_SWEEP_INTERVAL_S", str(d.pipeline.sweep_interval_s))),
            sweep_grace_s=float(get("PIPELINE_SWEEP_GRACE_S", str(d.pipeline.sweep_grace_s))),
            follow_horizon_s=float(get("PIPELINE_FOLLOW_HORIZON_S", str(d.pipeline.follow_horizon_s))),
        ),
    )
