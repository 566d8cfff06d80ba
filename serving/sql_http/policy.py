"""Which statements the SQL endpoint runs: a read of the analyst tables, checked on the engine's own AST.

Row scoping is not done here: every read of a table with `tenant_id` is filtered by the engine
(`additional_table_filters`, scope.py). This check keeps a query to tables those filters cover, and away
from what reads outside the store: table functions (`file()`, `url()`, `merge()`, ...), the `file()`
function, dictionaries, `INTO OUTFILE`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from serving.sql_http.ast_dump import Node
from serving.sql_http.catalog import (
    ANALYST_TABLES,
    INFORMATION_SCHEMA,
    INFORMATION_SCHEMA_TABLES,
    SYSTEM_TABLES,
)
from serving.sql_http.errors import ACCESS_DENIED, READONLY, UNKNOWN_TABLE, ClickHouseError

# SELECT (with UNION, INTERSECT, EXCEPT), DESCRIBE, SHOW DATABASES / TABLES
_STATEMENTS = frozenset({"SelectWithUnionQuery", "SelectIntersectExceptQuery", "DescribeQuery", "ShowTables"})
# Functions that read outside the query's tables (lower case; prefixes end in *).
_FUNCTIONS = ("file", "dict*", "joinget*", "getclienthttpheader", "catboostevaluate", "getserversetting")
# Table functions that make rows from their arguments alone.
_TABLE_FUNCTIONS = frozenset(
    {"numbers", "numbers_mt", "zeros", "zeros_mt", "generate_series", "generateseries", "values", "generaterandom"}
)
_IN = frozenset({"in", "notin", "globalin", "globalnotin", "nullin", "notnullin", "globalnullin", "globalnotnullin"})


@dataclass(frozen=True)
class Checked:
    """What the check found out: the FORMAT the statement names, if any."""

    output_format: str | None


# a table of the store: whether it has tenant_id, or None when there is no such table
Lookup = Callable[[str], bool | None]


def check(root: Node, *, database: str, store: str, lookup: Lookup, tenant_scoped: bool) -> Checked:
    """Refuse (ACCESS_DENIED) anything but a read of allowed tables; `store` is the database of evwatch's
    tables, `lookup` tells them, `database` is where unqualified names are."""
    if root.kind == "Set":
        # the engine answers it: readonly refuses a change with its own error, and a SET dies with its handle
        return Checked(None)
    if root.kind.startswith(("Explain", "Exists", "Show")) and root.kind not in _STATEMENTS:
        raise _denied(
            f"only SELECT, DESCRIBE and SHOW TABLES/DATABASES are allowed over the SQL endpoint, not {root.kind}"
        )
    if root.kind not in _STATEMENTS:
        # a write, DDL, SYSTEM or KILL: refused as the engine refuses them under readonly = 1
        raise ClickHouseError.refused(READONLY, "evwatch: Cannot execute query in readonly mode")
    output_format = None
    if root.kind == "SelectWithUnionQuery":
        for child in root.children[1:]:
            if child.kind == "Identifier":
                output_format = child.name
            elif child.kind != "Set":
                raise _denied("INTO OUTFILE is not allowed over the SQL endpoint")
    for node in root.walk():
        if node.kind == "TableExpression":
            for child in node.children:
                if child.kind == "Function" and child.name.lower() not in _TABLE_FUNCTIONS:
                    raise _denied(f"table function {child.name}() is not allowed over the SQL endpoint")
        elif node.kind == "TableIdentifier":
            _check_table(node.name, database, store, lookup, tenant_scoped)
        elif node.kind == "Function":
            _check_function(node)
        elif node.kind in {"ExplainQuery", "InsertQuery"}:
            raise _denied(f"{node.kind} is not allowed over the SQL endpoint")
    return Checked(output_format)


def _check_table(name: str, database: str, store: str, lookup: Lookup, tenant_scoped: bool) -> None:
    db, dot, table = name.partition(".")
    if not dot:
        db, table = database, name
        if db == store and not table.startswith(".") and lookup(table) is None:
            return  # a WITH name (or no table at all, which the engine reports)
    if db == store:
        has_tenant = lookup(table)
        if has_tenant is None:
            raise ClickHouseError.refused(UNKNOWN_TABLE, f"Table {store}.{table} does not exist")
        if table not in ANALYST_TABLES:
            raise _denied(
                f"table {store}.{table} is not open to SQL; the analyst tables are in infra/clickhouse/README.md"
            )
        if tenant_scoped and not has_tenant:
            raise _denied(f"table {store}.{table} has no tenant_id and is not open to a tenant's key")
    elif db == "system":
        if table not in SYSTEM_TABLES:
            raise _denied(f"table system.{table} is not open to SQL (only metadata tables are)")
    elif db in INFORMATION_SCHEMA:
        if table not in INFORMATION_SCHEMA_TABLES:
            raise _denied(f"table {db}.{table} is not open to SQL")
    else:
        raise _denied(f"database {db} is not open to SQL; the analyst tables are in {store}")


def _check_function(node: Node) -> None:
    name = node.name.lower()
    for banned in _FUNCTIONS:
        if name == banned or (banned.endswith("*") and name.startswith(banned[:-1])):
            raise _denied(f"function {node.name}() is not allowed over the SQL endpoint")
    if name in _IN and node.children:
        arguments = node.children[0].children
        if len(arguments) == 2 and arguments[1].kind == "Identifier":
            raise _denied(f"IN {arguments[1].name} reads a table by name; write IN (SELECT ... FROM ...) instead")


def _denied(reason: str) -> ClickHouseError:
    return ClickHouseError.refused(ACCESS_DENIED, reason)
