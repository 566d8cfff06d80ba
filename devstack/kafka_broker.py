"""A single-node Kafka 4.x (KRaft) broker run from the Maven-resolved jars in `infra/kafka/`."""

from __future__ import annotations

import base64
import ipaddress
import logging
import shutil
import string
import subprocess
import time
import uuid
from pathlib import Path
from typing import Self

from confluent_kafka import KafkaException

from devstack.ports import accepts_connections, port_in_use
from devstack.process import ChildService, PidFile, log_tail, spawn
from evwatch.config import KafkaSettings
from evwatch.kafka import admin_client, ensure_topics

log = logging.getLogger("devstack.kafka")

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_KAFKA_DIR = REPO_ROOT / "infra" / "kafka"
JVM_OPTS = (
    "-Xms128m",
    "-Xmx512m",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-Djava.awt.headless=true",
    # Kafka logs during its own shutdown hook; log4j's hook would stop logging first and warn.
    "-Dlog4j2.shutdownHookEnabled=false",
    # Two cores are shared by everything: fewer JIT/GC threads than the JVM would pick.
    "-XX:CICompilerCount=2",
    "-XX:ParallelGCThreads=1",
    "-XX:ConcGCThreads=1",
)


class KafkaBrokerError(RuntimeError):
    """The local broker could not be prepared, started or reached."""


class KafkaBroker(ChildService):
    """A local broker as a child process; `with KafkaBroker(settings, data_dir) as b: ...`."""

    label = "Kafka broker"
    _log = log

    def __init__(
        self,
        settings: KafkaSettings,
        data_dir: Path,
        *,
        kafka_dir: Path = DEFAULT_KAFKA_DIR,
        ready_timeout_s: float = 90.0,
        stop_timeout_s: float = 20.0,
    ) -> None:
        self.settings = settings
        self.data_dir = Path(data_dir).resolve()
        self.kafka_dir = Path(kafka_dir).resolve()
        self.ready_timeout_s = ready_timeout_s
        self.stop_timeout_s = stop_timeout_s
        self.host = settings.bootstrap_servers.split(",")[0].rsplit(":", 1)[0]
        self._proc: subprocess.Popen[bytes] | None = None
        self._pidfile = PidFile(self.data_dir / "broker.pid", self.label, ("kafka.Kafka", str(self._props_path)))

    # -- paths ---------------------------------------------------------------------------------
    @property
    def bootstrap_servers(self) -> str:
        """The bootstrap string clients should use."""
        return f"{self.host}:{self.settings.port}"

    @property
    def libs_dir(self) -> Path:
        """Where Maven copies the broker jars."""
        return self.kafka_dir / "target" / "kafka-libs"

    @property
    def log_path(self) -> Path:
        """The broker's stdout/stderr."""
        return self.data_dir / "broker.log"

    @property
    def _props_path(self) -> Path:
        return self.data_dir / "server.properties"

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> Self:
        """Prepare jars/config/storage, start the JVM, wait until it serves metadata, create the topics."""
        if self.pid is not None:
            return self
        if not ipaddress.ip_address(self.host if self.host != "localhost" else "127.0.0.1").is_loopback:
            msg = (
                f"the embedded broker listens on loopback only (it has no authentication), not on {self.host}; "
                "run your own brokers with SASL and ACLs (docs/kafka.md) and set EVWATCH_KAFKA_START_LOCAL=false"
            )
            raise KafkaBrokerError(msg)
        started = time.monotonic()
        java = ensure_jars(self.kafka_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._check_not_running()
        props = self._write_properties()
        self._format_storage(java, props)
        cmd = [
            java,
            *self._jvm_opts(),
            "-cp",
            f"{self.libs_dir}/*",
            "kafka.Kafka",
            str(props),
        ]
        log.info(
            "starting Kafka broker on %s (data %s)",
            self.bootstrap_servers,
            self.data_dir,
        )
        self._proc = spawn(cmd, self.log_path, cwd=self.data_dir)
        self._pidfile.write(self._proc.pid)
        try:
            self._wait_ready()
            ensure_topics(
                self.bootstrap_servers,
                self.settings.topics.all(),
                self.settings.partitions,
                topic_config=self.settings.topic_config,
            )
        except BaseException:
            self.stop()
            raise
        log.info(
            "Kafka broker ready on %s in %.1f s",
            self.bootstrap_servers,
            time.monotonic() - started,
        )
        return self

    def _stopped(self) -> None:
        self._pidfile.remove()

    # -- steps ---------------------------------------------------------------------------------
    def _jvm_opts(self) -> list[str]:
        return [
            *JVM_OPTS,
            f"-Dlog4j2.configurationFile={self.kafka_dir / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={self.data_dir / 'logs'}",
        ]

    def _check_not_running(self) -> None:
        # A pid file whose process is gone is a crash's leftover: dropped. A broker whose starter
        # died (a SIGKILLed `evwatch run` on a system without the parent-death signal, or one that
        # hung in its shutdown) is stopped, since nothing else ever would. Kafka's own `.lock` in
        # log.dirs is an OS file lock, released when its JVM dies, so it needs no cleanup.
        running = self._pidfile.clear_stale(log, grace_s=self.stop_timeout_s)
        if running is not None:
            msg = f"a Kafka broker (pid {running}) already runs on data dir {self.data_dir}; stop it first"
            raise KafkaBrokerError(msg)
        for name, port in (
            ("bootstrap", self.settings.port),
            ("controller", self.settings.controller_port),
        ):
            if port_in_use(self.host, port):
                msg = (
                    f"Kafka {name} port {self.host}:{port} is already in use "
                    "(another broker or service?); free it or configure another port"
                )
                raise KafkaBrokerError(msg)

    def _write_properties(self) -> Path:
        template = string.Template((self.kafka_dir / "server.properties.template").read_text())
        text = template.substitute(
            host=self.host,
            port=self.settings.port,
            controller_port=self.settings.controller_port,
            log_dirs=self.data_dir / "kraft-logs",
            partitions=self.settings.partitions,
        )
        path = self._props_path
        path.write_text(text)
        return path

    def _cluster_id(self) -> str:
        # Persisted so a restart formats (no-op) with the same id the storage already carries.
        path = self.data_dir / "cluster.id"
        if path.exists():
            return path.read_text().strip()
        cid = new_cluster_id()
        path.write_text(cid + "\n")
        return cid

    def _format_storage(self, java: str, props: Path) -> None:
        if (self.data_dir / "kraft-logs" / "meta.properties").exists():
            return  # already formatted; skip a 1-2 s JVM start
        cmd = [
            java,
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",  # short-lived tool: C1 only starts faster
            f"-Dlog4j2.configurationFile={self.kafka_dir / 'log4j2.properties'}",
            "-cp",
            f"{self.libs_dir}/*",
            "kafka.tools.StorageTool",
            "format",
            "-t",
            self._cluster_id(),
            "-c",
            str(props),
            "--ignore-formatted",
        ]
        res = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)
        if res.returncode != 0:
            msg = f"kafka StorageTool format failed (rc={res.returncode}):\n{res.stdout}\n{res.stderr}"
            raise KafkaBrokerError(msg)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout_s
        assert self._proc is not None
        # Wait for the port first so librdkafka does not spam "Connection refused" while the JVM boots.
        while not accepts_connections(self.host, self.settings.port):
            self._raise_if_exited()
            if time.monotonic() > deadline:
                self._fail(f"port {self.settings.port} not open after {self.ready_timeout_s:.0f} s")
            time.sleep(0.2)
        admin = admin_client(self.bootstrap_servers)
        while True:
            self._raise_if_exited()
            try:
                if admin.list_topics(timeout=2).brokers:
                    return
            except KafkaException:
                pass
            if time.monotonic() > deadline:
                self._fail(f"no metadata from {self.bootstrap_servers} after {self.ready_timeout_s:.0f} s")
            time.sleep(0.2)

    def _raise_if_exited(self) -> None:
        assert self._proc is not None
        rc = self._proc.poll()
        if rc is None:
            return
        tail = log_tail(self.log_path)
        hint = ""
        if "Failed to acquire lock" in tail:
            hint = f" (data dir {self.data_dir} is locked by another broker process)"
        elif "Address already in use" in tail:
            hint = f" (port {self.settings.port} or {self.settings.controller_port} is already in use)"
        self._proc = None
        self._pidfile.remove()
        msg = f"Kafka broker exited with rc={rc} during startup{hint}; log tail:\n{tail}"
        raise KafkaBrokerError(msg)

    def _fail(self, why: str) -> None:
        msg = f"Kafka broker not ready: {why}; log tail ({self.log_path}):\n{log_tail(self.log_path)}"
        raise KafkaBrokerError(msg)


def new_cluster_id() -> str:
    """A 22-character URL-safe base64 UUID as Kafka expects (no leading '-', which CLI parsing rejects)."""
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid


def ensure_jars(kafka_dir: Path = DEFAULT_KAFKA_DIR) -> str:
    """Resolve the broker jars with Maven if `target/kafka-libs` is missing; returns the `java` path."""
    java = shutil.which("java")
    if java is None:
        msg = "Java (17+) is required to run the local Kafka broker but `java` is not on PATH"
        raise KafkaBrokerError(msg)
    libs = kafka_dir / "target" / "kafka-libs"
    if libs.is_dir() and any(libs.glob("kafka_2.13-*.jar")):
        return java
    mvn = shutil.which("mvn")
    if mvn is None:
        msg = f"Maven (`mvn`) is required once to resolve the Kafka jars into {libs}, but it is not on PATH"
        raise KafkaBrokerError(msg)
    log.info("resolving Kafka jars with Maven into %s (first run only)", libs)
    res = subprocess.run(
        [mvn, "-q", "-B", "-f", str(kafka_dir / "pom.xml"), "package"],
        capture_output=True,
        text=True,
        check=False,
    )
    if res.returncode != 0 or not libs.is_dir():
        msg = f"`mvn package` for {kafka_dir / 'pom.xml'} failed (rc={res.returncode}):\n{res.stdout[-4000:]}"
        raise KafkaBrokerError(msg)
    return java
