import re

from evwatch.storage.migrations import discover


def test_migrations_are_numbered_without_gaps_in_order() -> None:
    migrations = discover()
    versions = [m.version for m in migrations]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    assert versions[:4] == [1, 2, 3, 4]


def test_every_table_has_tenant_id_first_in_its_sort_key() -> None:
    for migration in discover():
        for statement in migration.statements():
            if not statement.upper().startswith("CREATE TABLE"):
                continue
            order = re.search(r"ORDER BY\s*\(?\s*([a-z_]+)", statement)
            assert order, statement
            assert order.group(1) == "tenant_id", f"{migration.path.name}: {statement.splitlines()[0]}"
