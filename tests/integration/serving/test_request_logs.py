"""Logs never carry credentials: neither the app's own records (every logger at DEBUG) nor Granian's
access and debug logs show an API key, a member token or the `Authorization` value, whatever the
request's outcome.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import signal
import subprocess
import sys
import time
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.ports import free_port
from entrypoints.bootstrap import DEFAULT_TENANT
from entrypoints.runtime import token_secret
from evwatch.clock import utc_now
from evwatch.config import AuthSettings, Settings
from evwatch.tokens import issue_token
from tests.plugins.services import create_tenant
from tests.support.kafka import wait_for
from tests.support.sessions import session_body
from tests.support.tokens import member_token

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]

REPO_ROOT = Path(__file__).resolve().parents[3]
DEBUG_FACTORY = """
import logging

from entrypoints.asgi import create_app as app_factory


def create_app():
    app = app_factory()
    for logger in [logging.getLogger(), *logging.root.manager.loggerDict.values()]:
        if isinstance(logger, logging.Logger):
            logger.setLevel(logging.DEBUG)
            logger.disabled = False
    return app
"""


class _EveryRecord(logging.Handler):
    """Keeps each record as text: message, arguments, extra fields and traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format still counts
            message = repr(record.msg)
        parts = [record.name, message, repr(record.args), repr(vars(record))]
        if record.exc_info:
            parts.append("".join(traceback.format_exception(*record.exc_info)))
        self.lines.append(" ".join(parts))


@contextmanager
def every_log_record() -> Iterator[_EveryRecord]:
    """Every logger at DEBUG and enabled, each record kept, even from loggers that do not propagate."""
    handler = _EveryRecord()
    root = logging.getLogger()
    loggers = [root, *(lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger))]
    saved = [(lg, lg.level, lg.disabled) for lg in loggers]
    attached = [lg for lg in loggers if lg is root or not lg.propagate]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.disabled = False
    for lg in attached:
        lg.addHandler(handler)
    try:
        yield handler
    finally:
        for lg in attached:
            lg.removeHandler(handler)
        for lg, level, disabled in saved:
            lg.setLevel(level)
            lg.disabled = disabled


def _unverifiable_jwt() -> str:
    """A member token's shape (header.payload.signature) signed with a secret evwatch does not have."""

    def part(value: dict[str, Any] | bytes) -> str:
        raw = value if isinstance(value, bytes) else json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    claims = {"iss": "evwatch", "aud": "evwatch-api", "sub": "mallory", "email": "m@example.com", "exp": 4102444800}
    return ".".join((part({"alg": "HS256", "typ": "JWT"}), part(claims), part(os.urandom(32))))


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _token(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def _with_parts(secrets: dict[str, str]) -> dict[str, str]:
    """The secrets, their `Authorization` values, and a token's signature on its own (what makes it valid)."""
    out = dict(secrets)
    for name, value in secrets.items():
        out[f"the Authorization value of {name}"] = f"Bearer {value}"
        if value.count(".") == 2:
            out[f"the signature of {name}"] = value.rsplit(".", 1)[1]
    return out


def _assert_nowhere(secrets: dict[str, str], where: str, text: str) -> None:
    found = [name for name, value in secrets.items() if value in text]
    assert not found, f"{where} shows {', '.join(found)}"


def test_app_logs_at_debug_carry_no_key_or_token_whatever_the_outcome(
    api: Any, runtime: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    operator, admin, member = (create_tenant(runtime, role) for role in ("super_admin", "admin", "member"))
    bogus_key, bogus_jwt = f"evw_{uuid.uuid4().hex}{uuid.uuid4().hex}", _unverifiable_jwt()
    _, admin_token = member_token(runtime, admin.tenant_id, "admin")
    _, signup_token = member_token(runtime, None, None)
    _, expired_token = member_token(runtime, admin.tenant_id, "member", hours=-1)
    _, stranger_token = member_token(runtime, f"no-such-tenant-{uuid.uuid4().hex[:6]}", "admin")
    secrets = {
        "the operator's key": operator.api_key,
        "the admin's key": admin.api_key,
        "the member's key": member.api_key,
        "an unknown key": bogus_key,
        "an unverifiable member token": bogus_jwt,
        "an admin's member token": _token(admin_token),
        "a signed-up user's token": _token(signup_token),
        "an expired member token": _token(expired_token),
        "a token for a tenant that does not exist": _token(stranger_token),
    }
    huge = b"x" * (runtime.settings.api.max_body_bytes + 1)
    capfd.readouterr()
    with every_log_record() as records:
        session_id = f"logs-{uuid.uuid4().hex[:8]}"
        assert api.post("/v1/sessions", json=session_body(session_id), headers=admin.headers).status_code == 200
        assert api.get(f"/v1/sessions/{session_id}", headers=admin.headers).status_code == 200
        assert api.get("/v1/sessions/nope", headers=admin.headers).status_code == 404
        assert api.post("/v1/sessions", json={"sessionId": ""}, headers=admin.headers).status_code == 422
        bad_json = {**admin.headers, "Content-Type": "application/json"}
        assert api.post("/v1/sessions", content=b"{not json", headers=bad_json).status_code == 400
        assert api.post("/v1/sessions", content=huge, headers=bad_json).status_code == 413

        # Keys made through the API are shown once, in the answer only; a revoked key is refused.
        made = api.post("/v1/api-keys", json={"name": "logged?"}, headers=admin.headers).json()
        secrets["a key made through the API"] = made["key"]
        assert api.get("/v1/sessions", headers=_bearer(made["key"])).status_code == 200
        assert api.delete(f"/v1/api-keys/{made['id']}", headers=admin.headers).status_code == 200
        time.sleep(1.1)  # past the key cache
        assert api.get("/v1/sessions", headers=_bearer(made["key"])).status_code == 401
        tenant = api.post("/v1/admin/tenants", json={"name": "Logged tenant"}, headers=operator.headers).json()
        secrets["a new tenant's first key"] = tenant["apiKey"]
        assert api.get("/v1/sessions", headers=_bearer(tenant["apiKey"])).status_code == 200

        assert api.get("/v1/api-keys", headers=member.headers).status_code == 403
        assert api.get("/v1/sessions", headers=_bearer(bogus_key)).status_code == 401
        assert api.get("/v1/sessions", headers=_bearer(bogus_jwt)).status_code == 401

        # Member tokens: used (and recorded as a member), refused, and a signup making its tenant.
        assert api.get("/v1/members", headers=admin_token).status_code == 200
        assert api.get("/v1/sessions", headers=expired_token).status_code == 401
        assert api.get("/v1/sessions", headers=stranger_token).status_code == 401
        assert api.get("/v1/sessions", headers=signup_token).status_code == 403
        assert api.put("/v1/organization", json={"name": "Logged"}, headers=signup_token).status_code == 200
        assert api.get("/v1/sessions", headers=signup_token).status_code == 200
        assert api.get("/v1/sessions", headers={"Authorization": f"Token {admin.api_key}"}).status_code == 401
        # The member past its burst: the 429 path too.
        statuses = set()
        for _ in range(2000):
            statuses.add(api.get("/v1/api-keys", headers=member.headers).status_code)
            if 429 in statuses:
                break
        assert 429 in statuses

    assert records.lines, "no log record was captured: the capture itself is broken"
    secrets = _with_parts(secrets)
    for line in records.lines:
        _assert_nowhere(secrets, f"log record {line[:300]!r}", line)
    out, err = capfd.readouterr()
    _assert_nowhere(secrets, "the process's stdout", out)
    _assert_nowhere(secrets, "the process's stderr", err)


@pytest.mark.e2e
def test_granian_access_and_debug_logs_carry_no_key(settings: Any, tmp_path: Path) -> None:
    # The server `evwatch run` starts, over the app's own factory, with its access log on and every
    # logger at DEBUG (the production command logs less): a fresh chDB under its own var dir, the
    # session's broker and tritonserver, no dataflow (so nothing it accepts reaches the shared
    # topics' consumers).
    port = free_port()
    var_dir = tmp_path / "var"
    log_config = tmp_path / "log-config.json"
    log_config.write_text(json.dumps({"root": {"level": "DEBUG", "handlers": ["console"]}}))
    # Litestar sets the root logger to INFO when the app is built; this factory turns it back.
    (tmp_path / "debug_factory.py").write_text(DEBUG_FACTORY)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO_ROOT)]),
        "EVWATCH_VAR_DIR": str(var_dir),
        "EVWATCH_API_PORT": str(port),
        "EVWATCH_KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "EVWATCH_KAFKA_START_LOCAL": "false",
        "EVWATCH_TRITON_HOST": settings.triton.host,
        "EVWATCH_TRITON_GRPC_PORT": str(settings.triton.grpc_port),
        "EVWATCH_TRITON_HTTP_PORT": str(settings.triton.http_port),
        "EVWATCH_TRITON_START_LOCAL": "false",
        "EVWATCH_PIPELINE_ENABLED": "false",
    }
    command = [
        str(Path(sys.executable).with_name("granian")),
        "--interface",
        "asgi",
        "--factory",
        "--workers",
        "1",
        "--no-ws",
        "--log-level",
        "debug",
        "--log-config",
        str(log_config),
        "--access-log",
        "--host=127.0.0.1",
        f"--port={port}",
        "debug_factory:create_app",
    ]
    log_file = tmp_path / "granian.log"
    with log_file.open("wb") as log:
        proc = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    secrets: dict[str, str] = {}
    try:

        def ready() -> bool:
            if proc.poll() is not None:
                raise AssertionError(log_file.read_text()[-3000:])
            try:
                return httpx.get(f"{base}/ready", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(ready, timeout_s=180, interval_s=0.5)
        key = (var_dir / "bootstrap-admin-key").read_text().strip()
        bogus = f"evw_{uuid.uuid4().hex}"
        # signed with the secret this server made under its var dir when it started
        member = issue_token(
            AuthSettings(),
            token_secret(Settings(var_dir=var_dir)),
            subject="logged-user",
            email="logged-user@example.com",
            tenant_id=DEFAULT_TENANT,
            role="admin",
            now=utc_now(),
            lifetime=timedelta(hours=1),
        )
        secrets["a member token"] = member
        secrets |= {
            "the bootstrap key": key,
            "an unknown key": bogus,
            "an unverifiable member token": _unverifiable_jwt(),
        }
        with httpx.Client(base_url=base, timeout=30) as client:
            assert client.get("/v1/sessions", headers=_bearer(key)).status_code == 200
            assert client.get("/v1/sessions/nope", headers=_bearer(key)).status_code == 404
            made = client.post("/v1/api-keys", json={"name": "logged?"}, headers=_bearer(key))
            assert made.status_code == 200, made.text
            secrets["a key made through the API"] = made.json()["key"]
            assert client.get("/v1/stations", headers=_bearer(made.json()["key"])).status_code == 200
            assert client.get("/v1/members", headers=_bearer(member)).status_code == 200
            assert client.get("/v1/sessions", headers=_bearer(bogus)).status_code == 401
            assert (
                client.get("/v1/sessions", headers=_bearer(secrets["an unverifiable member token"])).status_code == 401
            )
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)

    text = log_file.read_text(errors="replace")
    # the access log is on: the requests above are in it, without their credentials
    assert '"GET /v1/sessions HTTP/1.1" 401' in text and '"POST /v1/api-keys HTTP/1.1" 200' in text, text[-3000:]
    secrets = _with_parts(secrets)
    _assert_nowhere(secrets, "Granian's log", text)
