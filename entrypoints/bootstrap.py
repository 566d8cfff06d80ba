"""First start: tenant `default` and a super_admin API key, saved 0600 and shown once on a terminal."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from evwatch.clock import utc_now
from evwatch.domain.api_keys import NewKey, generate_key
from evwatch.domain.roles import SUPER_ADMIN
from evwatch.private_files import write_secret
from evwatch.storage.tenants import ClickHouseTenantStore

log = logging.getLogger("evwatch.bootstrap")

DEFAULT_TENANT = "default"
KEY_FILE = "bootstrap-admin-key"


def issue_key(
    tenants: ClickHouseTenantStore, tenant_id: str, role: str, description: str, key_file: Path | None
) -> NewKey:
    """A new key for `tenant_id`; with `key_file`, saved there before the key exists in storage,
    so a crash in between leaves a file with an unusable key rather than a usable key nobody has."""
    key = generate_key()
    if key_file is not None:
        write_secret(key_file, key.plain + "\n")
    tenants.insert_api_key(tenant_id, key, role, description, utc_now(), None, name=description[:200])
    return key


def announce(key: NewKey, key_file: Path | None, headline: str) -> None:
    """Show the key on a terminal only; anywhere else (logs, CI) say where the file is."""
    where = f"saved to {key_file} (mode 0600)" if key_file is not None else "not saved anywhere"
    if sys.stdout.isatty():
        print(f"\n  evwatch: {headline} (shown once):\n    {key.plain}\n  {where}\n", flush=True)
    else:
        print(f"evwatch: {headline}; {where}", flush=True)


def bootstrap(tenants: ClickHouseTenantStore, var_dir: Path) -> NewKey | None:
    """On an empty database create the default tenant and a super_admin key; returns the key if new."""
    if tenants.count_api_keys() > 0:
        return None
    tenants.upsert_tenant(DEFAULT_TENANT, "Default tenant", utc_now())
    key_file = var_dir / KEY_FILE
    key = issue_key(tenants, DEFAULT_TENANT, SUPER_ADMIN, "bootstrap admin key", key_file)
    announce(key, key_file, f"created tenant '{DEFAULT_TENANT}' and a super_admin API key")
    return key
