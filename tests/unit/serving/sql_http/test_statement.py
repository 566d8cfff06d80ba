"""One statement per request, and no quoted name that could forge a line of the AST dump."""

from __future__ import annotations

import pytest

from serving.sql_http.errors import ClickHouseError
from serving.sql_http.statement import single_statement


@pytest.mark.parametrize(
    ("text", "statement"),
    [
        ("SELECT 1", "SELECT 1"),
        ("SELECT 1;", "SELECT 1"),
        ("  SELECT 1 ;; -- done\n", "SELECT 1"),
        ("SELECT 1; /* a /* nested */ comment */", "SELECT 1"),
        (
            "SELECT 'a;b', `c d`, \"e\" -- ; not a separator\nFROM t",
            "SELECT 'a;b', `c d`, \"e\" -- ; not a separator\nFROM t",
        ),
        ("SELECT 'it''s', 'a\\'b;'", "SELECT 'it''s', 'a\\'b;'"),
        ("SELECT $$a;b$$, $tag$x;y$tag$", "SELECT $$a;b$$, $tag$x;y$tag$"),
        ("SELECT 1 # a comment; still one\n", "SELECT 1 # a comment; still one"),
    ],
)
def test_one_statement_is_kept(text: str, statement: str) -> None:
    assert single_statement(text) == statement


@pytest.mark.parametrize(
    "text",
    [
        "SELECT 1; SELECT 2",
        "SELECT 1;\nDROP TABLE x",
        "SELECT 1; -- c\n SELECT file('/etc/passwd')",
        "SELECT `a\nb`",
        'SELECT "a\\nb"',
        "SELECT 1 AS `x\r`",
        "SELECT 'unterminated",
        "/* unterminated",
        "   ",
        "",
    ],
)
def test_more_or_less_than_one_statement_or_a_forged_name_is_refused(text: str) -> None:
    with pytest.raises(ClickHouseError) as refused:
        single_statement(text)
    assert refused.value.code == 62 and refused.value.message.startswith("Code: 62. DB::Exception: ")
