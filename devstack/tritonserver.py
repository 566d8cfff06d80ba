"""The CPU tritonserver bundled in the nvidia-pytriton wheel, run on a plain model repository."""

from __future__ import annotations

import importlib.metadata
import logging
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Self

from devstack.ports import port_in_use
from devstack.process import ChildService, PidFile, log_tail, spawn
from evwatch.config import TritonSettings

log = logging.getLogger("devstack.triton")

STUB_NAME = "triton_python_backend_stub"


class TritonServerError(RuntimeError):
    """tritonserver could not be prepared, started or reached."""


def _site_packages() -> Path:
    return Path(sysconfig.get_paths()["purelib"])


def _runtime_tag() -> str:
    # The copy depends on the wheel version and on which Python's stub we put in it.
    return f"nvidia-pytriton=={importlib.metadata.version('nvidia-pytriton')} py{sys.version_info[0]}.{sys.version_info[1]}"


def prepare_runtime(dest: Path) -> Path:
    """Copy the wheel's tritonserver into `dest` with the python backend stub for this Python; reuse if current."""
    marker = dest / "EVWATCH_RUNTIME"
    tag = _runtime_tag()
    if marker.exists() and marker.read_text().strip() == tag and (dest / "bin" / "tritonserver").exists():
        return dest
    src = _site_packages() / "pytriton" / "tritonserver"
    minor = f"{sys.version_info[0]}.{sys.version_info[1]}"
    stub = src / "python_backend_stubs" / minor / STUB_NAME
    if not (src / "bin" / "tritonserver").exists():
        msg = f"tritonserver binary not found under {src}; is nvidia-pytriton installed in this environment?"
        raise TritonServerError(msg)
    if not stub.exists():
        msg = f"nvidia-pytriton ships no python backend stub for Python {minor} ({stub} missing)"
        raise TritonServerError(msg)
    if dest.exists():
        shutil.rmtree(dest)
    # The stubs for other Pythons are dead weight; backends/python lacks the stub until we copy ours in.
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("python_backend_stubs"))
    shutil.copy2(stub, dest / "backends" / "python" / STUB_NAME)
    marker.write_text(tag + "\n")
    log.info("prepared tritonserver runtime in %s (%s)", dest, tag)
    return dest


def server_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for tritonserver: this interpreter's LIBDIR first on LD_LIBRARY_PATH, venv bin first on PATH."""
    env = dict(os.environ if base is None else base)
    libdir = sysconfig.get_config_var("LIBDIR") or ""
    # LIBDIR first: otherwise the stub's libpython3.x.so may resolve to the distro's library while the
    # stdlib comes from this interpreter, and models crash in odd places (infra.md §3.2).
    libs = [
        p
        for p in (
            libdir,
            str(_site_packages() / "nvidia_pytriton.libs"),
            env.get("LD_LIBRARY_PATH", ""),
        )
        if p
    ]
    env["LD_LIBRARY_PATH"] = os.pathsep.join(libs)
    # The stub runs model.py with the first python on PATH; it must be this venv's.
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in (bindir, env.get("PATH", "")) if p)
    return env


def discover_models(repo: Path) -> list[str]:
    """Model names in a repository: sub-directories holding a config.pbtxt."""
    return sorted(p.parent.name for p in Path(repo).glob("*/config.pbtxt"))


def _http_ok(url: str, timeout_s: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def wait_ready(
    settings: TritonSettings,
    models: Sequence[str],
    timeout: float = 120.0,
    *,
    proc: subprocess.Popen[bytes] | None = None,
    log_path: Path | None = None,
) -> None:
    """Block until the server and each of `models` report ready over HTTP; raise TritonServerError on timeout."""
    base = f"http://{settings.http_url}/v2"
    deadline = time.monotonic() + timeout
    pending = [f"{base}/health/ready", *(f"{base}/models/{m}/ready" for m in models)]
    while pending:
        if proc is not None and proc.poll() is not None:
            tail = log_tail(log_path) if log_path else ""
            msg = f"tritonserver exited with rc={proc.returncode} during startup; log tail:\n{tail}"
            raise TritonServerError(msg)
        if _http_ok(pending[0]):
            pending.pop(0)
            continue
        if time.monotonic() > deadline:
            tail = f"; log tail:\n{log_tail(log_path)}" if log_path else ""
            msg = f"tritonserver not ready after {timeout:.0f} s (waiting for {pending[0]}){tail}"
            raise TritonServerError(msg)
        time.sleep(0.25)


class TritonServer(ChildService):
    """tritonserver as a child process; `with TritonServer(settings, repo, work_dir) as ts: ...`."""

    label = "tritonserver"
    _log = log

    def __init__(
        self,
        settings: TritonSettings,
        model_repository: Path,
        work_dir: Path,
        *,
        models: Sequence[str] | None = None,
        ready_timeout_s: float = 120.0,
        stop_timeout_s: float = 20.0,
    ) -> None:
        self.settings = settings
        self.model_repository = Path(model_repository).resolve()
        self.work_dir = Path(work_dir).resolve()
        self.models = list(models) if models is not None else None
        self.ready_timeout_s = ready_timeout_s
        self.stop_timeout_s = stop_timeout_s
        self._proc: subprocess.Popen[bytes] | None = None
        # The binary's path lies under work_dir: a tritonserver of another work dir never matches.
        self._pidfile = PidFile(self.work_dir / "tritonserver.pid", self.label, (str(self._binary),))

    @property
    def runtime_dir(self) -> Path:
        """The prepared copy of the wheel's tritonserver."""
        return self.work_dir / "tritonserver"

    @property
    def _binary(self) -> Path:
        return self.runtime_dir / "bin" / "tritonserver"

    @property
    def log_path(self) -> Path:
        """tritonserver's stdout/stderr."""
        return self.work_dir / "tritonserver.log"

    @property
    def grpc_url(self) -> str:
        """host:port for tritonclient.grpc."""
        return self.settings.grpc_url

    @property
    def http_url(self) -> str:
        """host:port for tritonclient.http."""
        return self.settings.http_url

    def command(self, models: Sequence[str]) -> list[str]:
        """The tritonserver command line for `models`."""
        rt = self.runtime_dir
        s = self.settings
        return [
            str(self._binary),
            f"--model-repository={self.model_repository}",
            f"--backend-directory={rt / 'backends'}",
            f"--cache-directory={rt / 'caches'}",
            "--model-control-mode=explicit",
            *(f"--load-model={m}" for m in models),
            f"--http-address={s.host}",
            f"--http-port={s.http_port}",
            f"--grpc-address={s.host}",
            f"--grpc-port={s.grpc_port}",
            "--allow-metrics=false",
            "--exit-on-error=true",
            "--log-verbose=0",
        ]

    def start(self) -> Self:
        """Prepare the runtime, start tritonserver, wait until it and every model are ready."""
        if self.pid is not None:
            return self
        started = time.monotonic()
        if not self.model_repository.is_dir():
            msg = f"Triton model repository {self.model_repository} does not exist"
            raise TritonServerError(msg)
        self._check_not_running()
        for name, port in (
            ("HTTP", self.settings.http_port),
            ("gRPC", self.settings.grpc_port),
        ):
            if port_in_use(self.settings.host, port):
                msg = f"Triton {name} port {self.settings.host}:{port} is already in use; free it or configure another"
                raise TritonServerError(msg)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        prepare_runtime(self.runtime_dir)
        models = self.models if self.models is not None else discover_models(self.model_repository)
        log.info("starting tritonserver on grpc %s with models %s", self.grpc_url, models)
        self._proc = spawn(self.command(models), self.log_path, env=server_env(), cwd=self.work_dir)
        self._pidfile.write(self._proc.pid)
        try:
            wait_ready(
                self.settings,
                models,
                self.ready_timeout_s,
                proc=self._proc,
                log_path=self.log_path,
            )
        except BaseException:
            self.stop()
            raise
        log.info("tritonserver ready in %.1f s", time.monotonic() - started)
        return self

    def _stopped(self) -> None:
        self._pidfile.remove()

    def _check_not_running(self) -> None:
        # Same rules as the broker's: a dead pid's file is dropped, an orphan of a crashed run is
        # stopped (with its backend stubs, which share its process group), a live one is refused.
        running = self._pidfile.clear_stale(log, grace_s=self.stop_timeout_s)
        if running is not None:
            msg = f"a tritonserver (pid {running}) already runs from {self.work_dir}; stop it first"
            raise TritonServerError(msg)
