import re
from pathlib import Path

import pytest

from evwatch.storage.migrations import MigrationError, check_sequence, discover


def test_the_shipped_migrations_form_gap_free_families() -> None:
    versions = [m.version for m in discover()]
    assert versions == sorted(versions)
    check_sequence(versions)


@pytest.mark.parametrize(
    ("names", "error"),
    [
        (["0001_a.sql", "0003_c.sql"], "missing 0002"),
        (["0001_a.sql", "0100_b.sql", "0102_d.sql"], "missing 0101"),
        (["0002_b.sql"], "missing 0001"),
        (["0001_a.sql", "0001_b.sql"], "share version 0001"),
        (["0001_a.sql", "1_Bad-Name.sql"], "1_Bad-Name.sql"),
    ],
)
def test_a_broken_sequence_is_refused(tmp_path: Path, names: list[str], error: str) -> None:
    for name in names:
        (tmp_path / name).write_text("SELECT 1;\n")
    with pytest.raises(MigrationError, match=error):
        discover(tmp_path)


def test_every_table_has_tenant_id_first_in_its_sort_key() -> None:
    for migration in discover():
        for statement in migration.statements():
            if not statement.upper().startswith("CREATE TABLE"):
                continue
            order = re.search(r"ORDER BY\s*\(?\s*([a-z_]+)", statement)
            assert order, statement
            assert order.group(1) == "tenant_id", f"{migration.path.name}: {statement.splitlines()[0]}"
