"""Block YAML of the usual shape, read a line at a time without libyaml: the fast path of yamlio.

Manifests as `kubectl get -o yaml`, editors and npkit's own dump write them are block mappings and
lists of simple keys and scalars, one entry per line. Through PyYAML, reading them costs about a
microsecond per YAML event, mostly in making Python objects for libyaml's events; this module cuts
the text into lines with one regular expression and builds the same nodes as yamlio (Scalar,
Mapping, Sequence, with the same lines, columns, sizes and depths) at half the cost. It accepts a
strict subset of YAML and gives up (None) on anything else, which yamlio then reads with libyaml
as before, diagnostics and all:

- `---` alone on a line between documents, full-line comments, blank lines;
- `key: value`, `key:` with the value on the lines below (more indented, or a list at the same
  indentation), and `- ` list items holding a scalar or the first entry of a mapping;
- keys of letters, digits and `_ . / -` that kubectl reads as that very text (not `on`, `1e2`);
- plain scalars that start with a letter, digit or one of `_ . / (` (or a sign and a digit), without
  `: `, ` #` or two spaces in them, quoted scalars without escapes or quotes inside, `{}` and `[]`.

Tabs, carriage returns, non-ASCII text, anchors, aliases, tags, block scalars, other flow
collections, multi-line scalars, empty values and documents, duplicate keys, and values kubectl
cannot send (.inf, .nan) all make it give up. tests/loading/test_block_yaml.py holds the two
readers to the same trees.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .yamlio import MAX_DEPTH, Document, Mapping, Node, Scalar, Sequence

# One line: its indentation, a list item's "- ", then `key:` with the value after ": " (or none),
# or anything else (a list item's scalar, a comment, "---", or what this reader does not take).
_LINE = re.compile(r"^( *)(- )?(?:([A-Za-z0-9_][-A-Za-z0-9_./]*):(?: (.*))?|(.*))$", re.MULTILINE)
# A plain scalar: no indicator at the start; then no ": ", " #", two spaces, or a space or ":" at the end.
_PLAIN = re.compile(r"(?:[A-Za-z0-9_./(]|[-+][0-9.])(?:[^\s:]|:(?! |\Z)| (?![ #]|\Z))*\Z")
_QUOTED = re.compile(r"'[^'\n]*'\Z|\"[^\"\\\n]*\"\Z")

# A plain scalar's text to (value, key text) as kubectl reads it (yamlio's conversion), None to give up.
Resolve = Callable[[str], "tuple[object, str | None] | None"]


class _GiveUp(Exception):
    """The text is not of the shape this reader handles."""


class _Open:
    """A collection being built: its node, its indentation (0-based column), a key waiting for its value."""

    __slots__ = ("node", "indent", "entries", "key", "key_line")

    def __init__(self, node: Mapping | Sequence, indent: int):
        self.node = node
        self.indent = indent
        self.entries = node.entries if type(node) is Mapping else None
        self.key: str | None = None
        self.key_line = 0


def read(text: str, resolve: Resolve) -> list[Document] | None:
    """The documents of `text` as yamlio builds them, or None when the text is not of the usual shape."""
    if not text.isascii() or "\t" in text or "\r" in text:
        return None
    try:
        return _Reader(resolve).read(_LINE.findall(text))
    except _GiveUp:
        return None


class _Reader:
    def __init__(self, resolve: Resolve):
        self.resolve = resolve
        self.documents: list[Document] = []
        self.stack: list[_Open] = []
        self.root: Node | None = None
        self.doc_line = 0  # 0: no document open
        self.seen: dict[str, tuple[type[Node], object, str, bool, str | None]] = {}  # what each value text is
        self.keys: set[str] = set()  # key texts known to be read by kubectl as that very text

    def read(self, lines: list[tuple[str, str, str, str, str]]) -> list[Document]:
        # The usual line, `key: value` in the mapping of the line before, is handled inline: a
        # manifest has tens of thousands of them, and a method call costs as much as the rest.
        stack = self.stack
        seen = self.seen
        keys = self.keys
        for number, (spaces, dash, key, value, other) in enumerate(lines, 1):
            if not key:
                if other or dash:
                    self._other(number, len(spaces), dash, other)
                continue
            if not self.doc_line:
                self.doc_line = number
            indent = len(spaces)
            top = stack[-1] if stack else None
            if dash:  # `- key: ...`: the first key of the item's mapping
                self._item(number, indent)
                indent += 2
                top = self._open(Mapping(number, indent + 1), indent)
            elif top is not None and top.key is not None and top.indent < indent:  # the value of that key
                top = self._open(Mapping(number, indent + 1), indent)
            elif top is None or top.indent != indent or top.entries is None or top.key is not None:
                top = self._mapping(number, indent)
            entries = top.entries
            if entries is None or key in entries:
                raise _GiveUp  # a duplicate key: yamlio reports it
            if key not in keys:
                self._new_key(key)
            node = top.node
            if node.depth < 2:
                node.depth = 2
            if not value:
                node.size += 1  # the key, which has no node
                top.key, top.key_line = key, number  # its value is on the lines below
                continue
            kind = seen.get(value)
            if kind is None:
                kind = seen[value] = self._kind(value)
            column = indent + len(key) + 3
            if kind[0] is Scalar:
                entries[key] = (number, Scalar(number, column, kind[1], kind[2], kind[3], kind[4]))
            else:
                entries[key] = (number, kind[0](number, column))  # {} or []
            node.size += 2  # the key, which has no node, and its value (one node, of depth 1)
        self._end_document()
        return self.documents

    def _new_key(self, key: str) -> None:
        """Note that kubectl reads key text `key` as that very text, or give up."""
        resolved = self.resolve(key)
        if resolved is None or resolved[1] != key:
            raise _GiveUp  # a key kubectl reads as something else (on, 1e2, null): yamlio warns
        self.keys.add(key)

    def _other(self, number: int, indent: int, dash: str, other: str) -> None:
        """A line without a key: a list item's scalar, a comment, `---`; anything else gives up."""
        if dash:
            if not self.doc_line:
                self.doc_line = number
            self._item(number, indent)
            scalar = self._scalar(number, indent + 3, other)
            sequence = self.stack[-1].node  # _item left the list at this column on top
            sequence.items.append(scalar)  # type: ignore[union-attr]  # a Sequence
            sequence.holds(scalar)
        elif other[0] == "#":
            pass
        elif other == "---" and not indent:
            self._end_document()
            self.doc_line = number
        else:
            raise _GiveUp  # a multi-line scalar, a block scalar, flow content...

    def _end_document(self) -> None:
        if not self.doc_line:
            return
        self._close_deeper(-1, dash=False)  # every collection still open
        if self.root is None:
            raise _GiveUp  # an empty document: libyaml gives it a null scalar where it ends
        self.documents.append(Document(self.root, self.doc_line))
        self.root, self.doc_line = None, 0

    def _item(self, number: int, indent: int) -> None:
        """A `- ` at column `indent`: the next item of the list there, or the first of a new list."""
        self._close_deeper(indent, dash=True)
        top = self.stack[-1] if self.stack else None
        if top is not None and top.entries is None and top.indent == indent:
            return  # the next item
        if top is not None and (top.key is None or top.indent > indent):
            raise _GiveUp
        self._open(Sequence(number, indent + 1), indent)  # the root, or the value of a key

    def _mapping(self, number: int, indent: int) -> _Open:
        """The mapping that a key at column `indent` belongs to: the one there, or a new one."""
        self._close_deeper(indent, dash=False)
        top = self.stack[-1] if self.stack else None
        if top is not None and top.entries is not None and top.indent == indent:
            if top.key is not None:
                raise _GiveUp  # the key before had no value (null): libyaml places that empty scalar
            return top
        if top is None or (top.key is not None and top.indent < indent):
            return self._open(Mapping(number, indent + 1), indent)  # the root, or the value of a key
        raise _GiveUp

    def _close_deeper(self, indent: int, dash: bool) -> None:
        """Close the collections that a line at column `indent` ends, each placed in the one around it."""
        stack = self.stack
        while stack:
            top = stack[-1]
            if not (top.indent > indent or (top.indent == indent and top.entries is None and not dash)):
                return  # (a list at the column of its mapping's keys ends at the next key)
            stack.pop()
            if top.key is not None:
                raise _GiveUp  # a key without a value (null): libyaml places that empty scalar
            done = top.node
            if not stack:  # the document's root
                if self.root is not None:
                    raise _GiveUp
                self.root = done
                return
            outer = stack[-1]
            outer.node.holds(done)
            if outer.entries is None:
                outer.node.items.append(done)  # type: ignore[union-attr]  # a Sequence
            elif outer.key is None:
                raise _GiveUp
            else:
                outer.entries[outer.key] = (outer.key_line, done)
                outer.key = None

    def _open(self, node: Mapping | Sequence, indent: int) -> _Open:
        if len(self.stack) >= MAX_DEPTH - 1:
            raise _GiveUp
        opened = _Open(node, indent)
        self.stack.append(opened)
        return opened

    def _scalar(self, number: int, column: int, text: str) -> Node:
        """The scalar (or `{}`, `[]`) `text` that starts at `column` of line `number`."""
        seen = self.seen.get(text)
        if seen is None:
            seen = self.seen[text] = self._kind(text)
        if seen[0] is Scalar:
            return Scalar(number, column, seen[1], seen[2], seen[3], seen[4])
        return seen[0](number, column)  # {} or []

    def _kind(self, text: str) -> tuple[type[Node], object, str, bool, str | None]:
        """What `text` is: (node type, then for a scalar its value, text, plainness and key text)."""
        if _PLAIN.match(text):
            resolved = self.resolve(text)
            if resolved is None:
                raise _GiveUp
            return Scalar, resolved[0], text, True, resolved[1]
        if _QUOTED.match(text):
            inner = text[1:-1]
            return Scalar, inner, inner, False, inner
        if text in ("{}", "[]"):
            return (Mapping if text == "{}" else Sequence), None, text, False, None
        raise _GiveUp
