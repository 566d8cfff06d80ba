"""The AST check over dumps the engine's parser printed (`EXPLAIN AST`, chDB 26.9)."""

from __future__ import annotations

import textwrap

import pytest

from serving.sql_http.ast_dump import parse
from serving.sql_http.errors import ClickHouseError
from serving.sql_http.policy import check

# a store where `tenants` (an analyst table) lacked tenant_id, so no filter would cover it
TABLES = {"sessions": True, "api_keys": True, "schema_migrations": False, "tenants": False}


def _check(dump: str, *, tenant: bool = True, database: str = "evwatch") -> str | None:
    root = parse(textwrap.dedent(dump))
    return check(root, database=database, store="evwatch", lookup=TABLES.get, tenant_scoped=tenant).output_format


def _select_from(table: str, alias: str = "") -> str:
    return f"""\
        SelectWithUnionQuery (children 1)
         ExpressionList (children 1)
          SelectQuery (children 2)
           ExpressionList (children 1)
            Asterisk
           TablesInSelectQuery (children 1)
            TablesInSelectQueryElement (children 1)
             TableExpression (children 1)
              {table}{alias}
        """


def test_a_read_of_an_analyst_table_passes_and_tells_its_format() -> None:
    assert _check(_select_from("TableIdentifier evwatch.sessions", " (alias s)")) is None
    assert _check(_select_from("TableIdentifier sessions")) is None
    assert _check(_select_from("TableIdentifier system.settings")) is None
    assert _check(_select_from("TableIdentifier a_with_name")) is None
    assert _check(_select_from("Function numbers (children 1)")) is None
    formatted = """\
        SelectWithUnionQuery (children 2)
         ExpressionList (children 1)
          SelectQuery (children 1)
           ExpressionList (children 1)
            Literal UInt64_1
         Identifier JSONEachRow
        """
    assert _check(formatted) == "JSONEachRow"


@pytest.mark.parametrize(
    ("table", "code"),
    [
        ("TableIdentifier evwatch.api_keys", 497),
        ("TableIdentifier api_keys", 497),
        ("TableIdentifier evwatch.no_such_table", 60),
        ("TableIdentifier `.tmp.inner_id.1`", 497),
        ("TableIdentifier system.query_log", 497),
        ("TableIdentifier default.anything", 497),
        ("TableIdentifier evwatch.schema_migrations", 497),
        ("TableIdentifier evwatch.tenants", 497),
        ("Function file (children 1)", 497),
        ("Function merge (alias m) (children 1)", 497),
        ("Function url (children 1)", 497),
    ],
)
def test_tables_outside_the_filters_are_refused(table: str, code: int) -> None:
    with pytest.raises(ClickHouseError) as refused:
        _check(_select_from(table))
    assert refused.value.code == code


def test_a_table_without_tenant_id_is_open_to_a_super_admin_only() -> None:
    assert _check(_select_from("TableIdentifier evwatch.tenants"), tenant=False) is None


@pytest.mark.parametrize(
    ("dump", "code"),
    [
        (  # SELECT 1 INTO OUTFILE '/tmp/x'
            """\
            SelectWithUnionQuery (children 2)
             ExpressionList (children 1)
              SelectQuery (children 1)
               ExpressionList (children 1)
                Literal UInt64_1
             Literal '/tmp/x'
            """,
            497,
        ),
        (  # SELECT file('/etc/passwd')
            """\
            SelectWithUnionQuery (children 1)
             ExpressionList (children 1)
              SelectQuery (children 1)
               ExpressionList (children 1)
                Function file (children 1)
                 ExpressionList (children 1)
                  Literal '/etc/passwd'
            """,
            497,
        ),
        (  # SELECT dictGet('d', 'a', 1)
            """\
            SelectWithUnionQuery (children 1)
             ExpressionList (children 1)
              SelectQuery (children 1)
               ExpressionList (children 1)
                Function dictGet (children 1)
                 ExpressionList (children 3)
                  Literal 'd'
                  Literal 'a'
                  Literal UInt64_1
            """,
            497,
        ),
        (  # SELECT 1 WHERE x GLOBAL IN evwatch.api_keys
            """\
            SelectWithUnionQuery (children 1)
             ExpressionList (children 1)
              SelectQuery (children 2)
               ExpressionList (children 1)
                Literal UInt64_1
               Function globalIn (children 1)
                ExpressionList (children 2)
                 Identifier x
                 Identifier evwatch.api_keys
            """,
            497,
        ),
        ("InsertQuery  (children 1)\n Identifier evwatch.sessions\n", 164),
        ("CreateQuery  x (children 1)\n Identifier x\n", 164),
        ("ExplainQuery (children 1)\n SelectWithUnionQuery (children 1)\n  ExpressionList\n", 497),
    ],
)
def test_writes_files_dictionaries_and_tables_by_name_are_refused(dump: str, code: int) -> None:
    with pytest.raises(ClickHouseError) as refused:
        _check(dump)
    assert refused.value.code == code


def test_a_subquery_is_checked_too() -> None:
    nested = """\
        SelectWithUnionQuery (children 1)
         ExpressionList (children 1)
          SelectQuery (children 2)
           ExpressionList (children 1)
            Asterisk
           TablesInSelectQuery (children 1)
            TablesInSelectQueryElement (children 1)
             TableExpression (children 1)
              Subquery (alias s) (children 1)
               SelectWithUnionQuery (children 1)
                ExpressionList (children 1)
                 SelectQuery (children 2)
                  ExpressionList (children 1)
                   Asterisk
                  TablesInSelectQuery (children 1)
                   TablesInSelectQueryElement (children 1)
                    TableExpression (children 1)
                     TableIdentifier evwatch.api_keys
        """
    with pytest.raises(ClickHouseError):
        _check(nested)


def test_a_dump_that_is_not_one_tree_is_refused() -> None:
    for dump in ("SelectWithUnionQuery\nSelectWithUnionQuery\n", "SelectWithUnionQuery\n   Asterisk\n", "", "!\n"):
        with pytest.raises(ValueError):
            parse(dump)
