"""Numbered SQL migrations under `infra/clickhouse/`, applied in order and recorded once.

Each statement is recorded as it completes, so a migration interrupted by a crash resumes at the
statement it stopped in; every statement must therefore be safe to run again right after it ran
(`IF NOT EXISTS`, `IF EXISTS`, inserts whose rows replace themselves).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from clickhouse_connect.driver.client import Client

log = logging.getLogger("evwatch.storage.migrations")

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "infra" / "clickhouse"
_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered migration file."""

    version: int
    name: str
    path: Path

    def statements(self) -> list[str]:
        """The file's statements, split on `;` at line ends, comments dropped."""
        lines = [ln for ln in self.path.read_text().splitlines() if not ln.strip().startswith("--")]
        body = "\n".join(lines)
        return [s.strip() for s in re.split(r";\s*(?:\n|$)", body) if s.strip()]


class MigrationError(ValueError):
    """The migration files are not a clean numbered sequence."""


# Families of 100 versions: 0001-0099 tenants and sessions, 0100-0199 stations, and so on.
FAMILY_SIZE = 100


def check_sequence(versions: list[int]) -> None:
    """Every family of versions starts at its first number and has no gaps."""
    families: dict[int, list[int]] = {}
    for version in sorted(versions):
        families.setdefault(version // FAMILY_SIZE, []).append(version)
    for family, members in families.items():
        first = max(family * FAMILY_SIZE, 1)
        expected = list(range(first, first + len(members)))
        if members != expected:
            missing = sorted(set(range(first, members[-1] + 1)) - set(members))
            raise MigrationError(
                f"migration family {first:04d} has gaps: missing {', '.join(f'{v:04d}' for v in missing)}"
            )


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """All migration files, ordered by version; refuses odd names, duplicate versions and gaps."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name} is not named NNNN_lower_snake_name.sql")
        version = int(match.group("version"))
        if version in found:
            raise MigrationError(f"two migrations share version {version:04d}: {found[version].path.name}, {path.name}")
        found[version] = Migration(version, match.group("name"), path)
    check_sequence(list(found))
    return [found[v] for v in sorted(found)]


def _ensure_table(client: Client) -> None:
    client.command(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)) "
        "ENGINE = ReplacingMergeTree(applied_at) ORDER BY version"
    )
    client.command(
        "CREATE TABLE IF NOT EXISTS schema_migration_steps "
        "(version UInt32, step UInt32, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)) "
        "ENGINE = ReplacingMergeTree(applied_at) ORDER BY (version, step)"
    )


def _done_steps(client: Client, version: int) -> set[int]:
    rows = client.query(
        "SELECT step FROM schema_migration_steps FINAL WHERE version = {v:UInt32}", parameters={"v": version}
    ).result_rows
    return {int(r[0]) for r in rows}


def applied_versions(client: Client) -> set[int]:
    """Versions already recorded in `schema_migrations`."""
    _ensure_table(client)
    return {int(row[0]) for row in client.query("SELECT version FROM schema_migrations FINAL").result_rows}


def migrate(client: Client, *, dry_run: bool = False, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Apply pending migrations in order; returns what was (or, with dry_run, would be) applied."""
    done = applied_versions(client)
    pending = [m for m in discover(directory) if m.version not in done]
    for migration in pending:
        if dry_run:
            for statement in migration.statements():
                print(f"-- {migration.path.name}\n{statement};")
            continue
        done_steps = _done_steps(client, migration.version)
        log.info("applying migration %04d_%s", migration.version, migration.name)
        for step, statement in enumerate(migration.statements()):
            if step in done_steps:
                continue
            client.command(statement)
            client.insert("schema_migration_steps", [[migration.version, step]], column_names=["version", "step"])
        client.insert("schema_migrations", [[migration.version, migration.name]], column_names=["version", "name"])
    return pending
