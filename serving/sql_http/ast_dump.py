"""The tree of ClickHouse's `EXPLAIN AST` dump: one node a line, one space of indent a level.

The dump comes from the engine's own parser, so what it calls a table, a table function or an
`INTO OUTFILE` is what the engine will run. `statement.single_statement` keeps names from forging lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_LINE = re.compile(r"^(?P<indent> *)(?P<kind>[A-Za-z][A-Za-z0-9_]*)(?P<rest>.*)$")
_CHILDREN = re.compile(r" \(children \d+\)$")
_ALIAS = " (alias "


@dataclass
class Node:
    """One AST node: its kind (`TableIdentifier`, `Function`, ...), the text after it, and its children."""

    kind: str
    text: str
    children: list[Node] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The node's own name (a table, a function, a format), without alias and child count."""
        text = _CHILDREN.sub("", self.text).strip()
        alias = text.find(_ALIAS)
        return text if alias < 0 else text[:alias]

    def walk(self) -> list[Node]:
        """This node and every node below it, depth first."""
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


def parse(dump: str) -> Node:
    """The root of an `EXPLAIN AST` dump; ValueError for anything that is not one tree."""
    lines = [line for line in dump.splitlines() if line.strip()]
    if not lines:
        raise ValueError("empty AST")
    stack: list[tuple[int, Node]] = []
    root: Node | None = None
    for line in lines:
        found = _LINE.match(line)
        if found is None:
            raise ValueError(f"unexpected AST line {line!r}")
        depth = len(found["indent"])
        node = Node(found["kind"], found["rest"])
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if not stack:
            if root is not None or depth != 0:
                raise ValueError("more than one AST root")
            root = node
        else:
            if depth != stack[-1][0] + 1:
                raise ValueError(f"AST line out of place: {line!r}")
            stack[-1][1].children.append(node)
        stack.append((depth, node))
    assert root is not None
    return root
