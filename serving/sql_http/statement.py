"""One statement out of a query text, scanned the way ClickHouse's lexer sees quotes and comments.

Two things the parser's `EXPLAIN AST` cannot be trusted with are settled here, before it runs: a second
statement after `;` (the engine would run it, unchecked), and quoted names with line breaks or escapes
(printed raw in the AST dump, they could forge lines of it).
"""

from __future__ import annotations

from serving.sql_http.errors import SYNTAX_ERROR, ClickHouseError

_QUOTES = {"'": "string", "`": "name", '"': "name"}


def single_statement(text: str) -> str:
    """The one statement in `text`, without a trailing `;`; refuses a second statement or a forged name."""
    end = _scan(text)
    rest = _scan_trailing(text, end + 1) if end < len(text) else ""
    if rest:
        raise ClickHouseError.refused(SYNTAX_ERROR, "Multi-statements are not allowed over the SQL endpoint")
    statement = text[:end].strip()
    if not statement:
        raise ClickHouseError.refused(SYNTAX_ERROR, "Empty query")
    return statement


def _scan(text: str) -> int:
    """Index of the first `;` outside quotes and comments, or len(text)."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == ";":
            return i
        if ch in _QUOTES:
            i = _skip_quoted(text, i, ch)
        elif text.startswith("--", i) or ch == "#":
            newline = text.find("\n", i)
            i = n if newline < 0 else newline + 1
        elif text.startswith("/*", i):
            i = _skip_block_comment(text, i)
        elif ch == "$":
            i = _skip_heredoc(text, i)
        else:
            i += 1
    return n


def _scan_trailing(text: str, start: int) -> str:
    """What follows the `;` besides whitespace, comments and more `;`."""
    rest = text[start:]
    while True:
        stripped = rest.lstrip().lstrip(";").lstrip()
        if stripped.startswith("--") or stripped.startswith("#"):
            newline = stripped.find("\n")
            rest = "" if newline < 0 else stripped[newline + 1 :]
        elif stripped.startswith("/*"):
            rest = stripped[_skip_block_comment(stripped, 0) :]
        else:
            return stripped


def _skip_quoted(text: str, start: int, quote: str) -> int:
    i, n = start + 1, len(text)
    name = _QUOTES[quote] == "name"
    while i < n:
        ch = text[i]
        if name and (ch == "\\" or ord(ch) < 0x20 or ord(ch) == 0x7F):
            raise ClickHouseError.refused(
                SYNTAX_ERROR,
                "A quoted name with a control character or a backslash is not allowed over the SQL endpoint",
            )
        if ch == "\\":
            i += 2
            continue
        if ch == quote:
            if text.startswith(quote * 2, i):
                i += 2
                continue
            return i + 1
        i += 1
    raise ClickHouseError.refused(SYNTAX_ERROR, f"Unterminated quote {quote} at position {start}")


def _skip_block_comment(text: str, start: int) -> int:
    # ClickHouse's block comments nest
    depth, i, n = 0, start, len(text)
    while i < n:
        if text.startswith("/*", i):
            depth += 1
            i += 2
        elif text.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    raise ClickHouseError.refused(SYNTAX_ERROR, "Unterminated comment")


def _skip_heredoc(text: str, start: int) -> int:
    """`$tag$ ... $tag$` (a string literal); a lone `$` is just a character."""
    close = text.find("$", start + 1)
    tag = text[start : close + 1] if close > 0 else ""
    if not tag or not all(c.isalnum() or c == "_" for c in tag[1:-1]):
        return start + 1
    end = text.find(tag, close + 1)
    if end < 0:
        raise ClickHouseError.refused(SYNTAX_ERROR, "Unterminated heredoc")
    return end + len(tag)
