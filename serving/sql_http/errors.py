"""Errors in ClickHouse's own shape (`Code: N. DB::Exception: ... (NAME)`), with the HTTP status it answers them with."""

from __future__ import annotations

import re

# ClickHouse's error codes the endpoint raises itself, by name.
SYNTAX_ERROR = 62
UNKNOWN_TABLE = 60
UNKNOWN_DATABASE = 81
UNKNOWN_FORMAT = 73
READONLY = 164
TOO_MANY_SIMULTANEOUS_QUERIES = 202
ACCESS_DENIED = 497
AUTHENTICATION_FAILED = 516
QUERY_IS_TOO_LARGE = 393
BAD_ARGUMENTS = 36

_NAMES = {
    SYNTAX_ERROR: "SYNTAX_ERROR",
    UNKNOWN_TABLE: "UNKNOWN_TABLE",
    UNKNOWN_DATABASE: "UNKNOWN_DATABASE",
    UNKNOWN_FORMAT: "UNKNOWN_FORMAT",
    READONLY: "READONLY",
    TOO_MANY_SIMULTANEOUS_QUERIES: "TOO_MANY_SIMULTANEOUS_QUERIES",
    ACCESS_DENIED: "ACCESS_DENIED",
    AUTHENTICATION_FAILED: "AUTHENTICATION_FAILED",
    QUERY_IS_TOO_LARGE: "QUERY_IS_TOO_LARGE",
    BAD_ARGUMENTS: "BAD_ARGUMENTS",
}

# The HTTP status ClickHouse's HTTP handler gives an exception code (HTTPHandler's exceptionCodeToHTTPStatus);
# anything else is 500.
_STATUS = {
    AUTHENTICATION_FAILED: 401,
    READONLY: 403,
    ACCESS_DENIED: 403,
    TOO_MANY_SIMULTANEOUS_QUERIES: 503,
    QUERY_IS_TOO_LARGE: 413,
    **dict.fromkeys((SYNTAX_ERROR, 6, 26, 27, 32, 33, 34, 35, BAD_ARGUMENTS, 38, 43, 44, 47, 53, 62, 69, 70, 117), 400),
    **dict.fromkeys((46, 60, 63, UNKNOWN_FORMAT, 74, UNKNOWN_DATABASE, 115), 404),
    159: 408,
}

_CODE = re.compile(r"Code: (\d+)\.")
_VERSION = re.compile(r"\s*\(version [^)]*\)\.?")
_REPEATED_NAME = re.compile(r"(\([A-Z_]+\))\.?\s*\1$")


class ClickHouseError(Exception):
    """A refusal or failure, carried to the client the way ClickHouse would send it."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @classmethod
    def refused(cls, code: int, reason: str) -> ClickHouseError:
        """One of the endpoint's own refusals, worded as ClickHouse words its exceptions."""
        return cls(code, f"Code: {code}. DB::Exception: {reason}. ({_NAMES.get(code, 'UNKNOWN_EXCEPTION')})")

    @classmethod
    def from_engine(cls, text: str) -> ClickHouseError:
        """An exception the engine raised: its text from the first `Code:` on, its code."""
        start = text.find("Code: ")
        message = _VERSION.sub("", text[start:] if start >= 0 else text).strip()
        message = _REPEATED_NAME.sub(r"\1", message)
        # chDB nests the engine's message in its own ("Code: 164. DB::Exception: Code: 164. DB::Exception: ...")
        while message.count("DB::Exception: Code: ") and message.startswith("Code: "):
            message = message[message.index("DB::Exception: ") + len("DB::Exception: ") :]
        found = _CODE.match(message)
        code = int(found.group(1)) if found else 1000
        if not found:
            message = f"Code: 1000. DB::Exception: {message}. (STD_EXCEPTION)"
        return cls(code, message)

    @property
    def http_status(self) -> int:
        """What ClickHouse answers this code with."""
        return _STATUS.get(self.code, 500)

    def body(self, version: str) -> bytes:
        """The response body, with the server version trailer ClickHouse appends."""
        return f"{self.message} (version {version})\n".encode()
