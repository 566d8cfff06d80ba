"""`evwatch` command line: run the whole stack, serve, migrate, and the model commands."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from evwatch.config import Settings, load_settings
from evwatch.domain.roles import SUPER_ADMIN
from evwatch.private_files import private_dir

if TYPE_CHECKING:
    from devstack.process import PidFile

log = logging.getLogger("evwatch")

APP_FACTORY = "entrypoints.asgi:create_app"


def _granian_command(settings: Settings) -> list[str]:
    granian = Path(sys.executable).with_name("granian")
    # One worker: chDB lets a single process open its data path, and the worker also hosts the dataflow.
    flags = [
        "--interface",
        "asgi",
        "--factory",
        "--workers",
        "1",
        "--runtime-threads",
        "2",
        # Without it Granian waits forever for a worker whose shutdown hangs (e.g. on a broker that
        # died at the same moment), and so would anything waiting for Granian.
        "--workers-kill-timeout",
        "30",
        "--no-ws",
        "--log-level",
        "warning",
    ]
    # `--port=N` as one argument: run() recognises its own Granian by it in /proc.
    address = [f"--host={settings.api.host}", f"--port={settings.api.port}"]
    return [str(granian), *flags, *address, APP_FACTORY]


def _start_dependencies(settings: Settings, stack: ExitStack) -> None:
    """Broker and tritonserver as children (or checks on external ones), model repository exported."""
    from devstack.kafka_broker import KafkaBroker
    from devstack.tritonserver import TritonServer, wait_ready
    from evwatch.kafka import ensure_topics
    from models.repository import export_repository

    private_dir(settings.var_dir)
    if settings.kafka.start_local:
        print(f"evwatch: starting Kafka on {settings.kafka.bootstrap_servers} ...", flush=True)
        stack.enter_context(KafkaBroker(settings.kafka, settings.var_dir / "kafka"))
    else:
        kafka = settings.kafka
        ensure_topics(
            kafka.bootstrap_servers,
            kafka.topics.all(),
            kafka.partitions,
            config=kafka.client_config,
            topic_config=kafka.topic_config,
        )
    models = export_repository(settings.model_repository)
    if settings.triton.start_local:
        print(
            f"evwatch: starting tritonserver (gRPC {settings.triton.grpc_url}) with {', '.join(models)} ...", flush=True
        )
        stack.enter_context(TritonServer(settings.triton, settings.model_repository, settings.var_dir / "triton"))
    else:
        wait_ready(settings.triton, models)


def run(settings: Settings) -> int:
    """The whole stack on the embedded default; Ctrl-C stops every child, and so does this process's death.

    Every child is started from this (main) thread with the parent-death signal, and Granian's worker
    watches Granian: a SIGKILLed `evwatch run` leaves nothing running. Pid files under the var dir
    let the next start stop whatever a run on a system without that signal left behind.
    """
    from devstack.lifeline import DIE_WITH_PARENT_ENV
    from devstack.process import PidFile, spawn

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    private_dir(settings.var_dir)
    # The API first: an orphaned one would hold chDB's data path and keep consuming from an orphaned broker.
    api_pid = PidFile(
        settings.var_dir / "api.pid", "API server (Granian)", (APP_FACTORY, f"--port={settings.api.port}")
    )
    running = api_pid.clear_stale(log)
    if running is not None:
        print(
            f"evwatch: an API server (pid {running}) already runs on {settings.var_dir}; stop it first", file=sys.stderr
        )
        return 1
    with ExitStack() as stack:
        _start_dependencies(settings, stack)
        if stop.is_set():
            return 130
        print(f"evwatch: API on http://{settings.api.host}:{settings.api.port} (docs at /schema)", flush=True)
        api = spawn(_granian_command(settings), None, env={**os.environ, DIE_WITH_PARENT_ENV: "1"})
        api_pid.write(api.pid)
        stack.callback(_stop_child, api, api_pid)
        while not stop.is_set() and api.poll() is None:
            stop.wait(0.5)
        print("evwatch: stopping ...", flush=True)
        return 0 if stop.is_set() else (api.returncode or 1)


def _stop_child(proc: subprocess.Popen[bytes], pid_file: PidFile) -> None:
    from devstack.process import stop_group

    if proc.poll() is None:
        # SIGINT to Granian's main process alone, as Ctrl-C would: it stops its worker itself, in order.
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            log.warning("Granian pid %d did not stop 40 s after SIGINT; killing its process group", proc.pid)
    stop_group(proc, log, grace_s=0)  # SIGKILLs whatever is left in the group, and forgets the child
    pid_file.remove()


def serve(settings: Settings) -> int:
    """Only the API (and the in-process dataflow) against already running dependencies."""
    return subprocess.call(_granian_command(settings))


def migrate_cmd(settings: Settings, dry_run: bool) -> int:
    """Apply pending ClickHouse migrations."""
    from evwatch.storage.clickhouse import connect
    from evwatch.storage.migrations import migrate

    applied = migrate(connect(settings), dry_run=dry_run)
    verb = "would apply" if dry_run else "applied"
    print(f"{verb} {len(applied)} migration(s): " + ", ".join(f"{m.version:04d}_{m.name}" for m in applied))
    return 0


def create_key_cmd(settings: Settings, tenant_id: str, role: str, description: str, key_file: Path | None) -> int:
    """Issue an API key (e.g. a new super_admin key when the bootstrap key file is lost)."""
    from entrypoints.bootstrap import DEFAULT_TENANT, KEY_FILE, announce, issue_key
    from evwatch.clock import utc_now
    from evwatch.domain.roles import ROLES
    from evwatch.storage.clickhouse import connect
    from evwatch.storage.migrations import migrate
    from evwatch.storage.tenants import ClickHouseTenantStore

    if role not in ROLES:
        print(f"evwatch: --role must be one of {', '.join(ROLES)}", file=sys.stderr)
        return 2
    client = connect(settings)
    migrate(client)
    tenants = ClickHouseTenantStore(client)
    if tenant_id == DEFAULT_TENANT and not tenants.existing({tenant_id}):
        tenants.upsert_tenant(DEFAULT_TENANT, "Default tenant", utc_now())  # as the first start would have
    if tenant_id not in tenants.existing({tenant_id}):
        print(f"evwatch: no tenant {tenant_id!r}", file=sys.stderr)
        return 1
    target = key_file or settings.var_dir / (KEY_FILE if role == SUPER_ADMIN else f"{tenant_id}-{role}-key")
    key = issue_key(tenants, tenant_id, role, description, target)
    announce(key, target, f"created a {role} API key for tenant '{tenant_id}' (key id {key.key_id})")
    return 0


def issue_token_cmd(
    settings: Settings, tenant_id: str | None, email: str, role: str | None, user: str | None, hours: float
) -> int:
    """Print a member token signed with the embedded secret (local use: the API, tests, demos)."""
    from datetime import timedelta

    from entrypoints.runtime import token_secret
    from evwatch.clock import utc_now
    from evwatch.domain.roles import ROLES
    from evwatch.tokens import issue_token

    if settings.auth.jwks_url:
        print("evwatch: member tokens come from your issuer (EVWATCH_AUTH_JWKS_URL is set)", file=sys.stderr)
        return 2
    if role is not None and role not in ROLES:
        print(f"evwatch: --role must be one of {', '.join(ROLES)}", file=sys.stderr)
        return 2
    if tenant_id is None and role is not None:
        print("evwatch: --role needs --tenant (a token without a tenant is for open signup)", file=sys.stderr)
        return 2
    token = issue_token(
        settings.auth,
        token_secret(settings),
        subject=user or email,
        email=email,
        tenant_id=tenant_id,
        role=role,
        now=utc_now(),
        lifetime=timedelta(hours=hours),
    )
    print(token)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `evwatch` command."""
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="evwatch", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start Kafka, tritonserver and the API + dataflow (embedded default)")
    sub.add_parser("serve", help="start the API + dataflow against running Kafka/Triton/ClickHouse")
    db = sub.add_parser("db", help="database commands")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    mig = db_sub.add_parser("migrate", help="apply pending migrations")
    mig.add_argument("--dry-run", action="store_true", help="print the SQL instead of running it")
    keys = sub.add_parser("keys", help="API key commands")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser("create", help="issue an API key, saved 0600 (shown only on a terminal)")
    create.add_argument("--role", required=True, help="member, admin or super_admin")
    create.add_argument("--tenant", default="default", help="tenant id (default: default)")
    create.add_argument("--description", default="issued by evwatch keys create")
    create.add_argument("--file", type=Path, help="where to save it (default: under EVWATCH_VAR_DIR)")
    tokens = sub.add_parser("tokens", help="member token commands (embedded HS256 mode)")
    tokens_sub = tokens.add_subparsers(dest="tokens_command", required=True)
    issue = tokens_sub.add_parser("issue", help="print a member token (JWT) for local use")
    issue.add_argument("--email", required=True)
    issue.add_argument("--tenant", help="tenant id; omit for an open-signup token (no tenant yet)")
    issue.add_argument("--role", help="member, admin or super_admin (with --tenant)")
    issue.add_argument("--user", help="user id, the token's `sub` (default: the email)")
    issue.add_argument("--hours", type=float, default=12.0, help="lifetime (default: 12)")
    sub.add_parser("models", help="simulate | train | evaluate | export (see `evwatch models -h`)", add_help=False)
    args, rest = parser.parse_known_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "models":
        from models.cli import main as models_main

        return models_main(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    settings = load_settings()
    if args.command == "run":
        return run(settings)
    if args.command == "serve":
        return serve(settings)
    if args.command == "tokens":
        return issue_token_cmd(settings, args.tenant, args.email, args.role, args.user, args.hours)
    if args.command == "keys":
        return create_key_cmd(settings, args.tenant, args.role, args.description, args.file)
    return migrate_cmd(settings, args.dry_run)


if __name__ == "__main__":
    sys.exit(main())
