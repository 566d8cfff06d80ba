"""First start: tenant `default` and a super_admin API key, printed once and saved 0600."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from evwatch.clock import utc_now
from evwatch.domain.api_keys import generate_key
from evwatch.storage.tenants import ClickHouseTenantStore

log = logging.getLogger("evwatch.bootstrap")

DEFAULT_TENANT = "default"
KEY_FILE = "bootstrap-admin-key"


def bootstrap(tenants: ClickHouseTenantStore, var_dir: Path) -> str | None:
    """On an empty database create the default tenant and an admin key; returns the key if new."""
    if tenants.count_api_keys() > 0:
        return None
    now = utc_now()
    tenants.upsert_tenant(DEFAULT_TENANT, "Default tenant", now)
    key = generate_key()
    tenants.insert_api_key(DEFAULT_TENANT, key, "super_admin", "bootstrap admin key", now, None)
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / KEY_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.plain + "\n")
    os.chmod(path, 0o600)
    print(
        f"\n  evwatch: created tenant '{DEFAULT_TENANT}' and a super_admin API key (shown once):\n"
        f"    {key.plain}\n  saved to {path} (mode 0600)\n",
        flush=True,
    )
    return key.plain
