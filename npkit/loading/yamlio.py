"""Safe YAML reading: documents as trees of position-carrying nodes, within hard limits.

`yaml.safe_load` is not enough for npkit: it forgets line numbers, silently keeps the
last of two duplicate keys, and expands aliases without bound (the "billion laughs"
document). Here the parser (libyaml's C parser when PyYAML has it, else PyYAML's pure
Python one) only produces events, and this module builds the tree itself, iteratively:

- nesting deeper than MAX_DEPTH is refused without recursion;
- every node knows its *expanded* size, so an alias bomb is refused as soon as its
  aliases would stand for more than MAX_ALIAS_NODES nodes, before anything walks it;
- duplicate keys and non-string keys are reported, merge keys (`<<`) are applied;
- scalars get the values kubectl would send (scalars.py: `port: 1e2` is 100, `y` is true),
  and keys the text its JSON would have (`on:` is "true", with a warning);
- only plain data is built: strings, integers, floats, booleans, null, lists, mappings.
  Other tags (`!!python/object`, `!!binary`, custom `!foo`) are errors.

Aliases share their target node, so a tree may be a DAG; the size limits keep walking it cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import EllipsisType
from typing import NamedTuple

import yaml
from yaml import events as ev

from npkit.errors import InternalError
from npkit.i18n import messages
from npkit.model import Diagnostic, Origin

from . import scalars

try:  # libyaml is about 5x faster; fall back silently when PyYAML was built without it
    from yaml import CSafeLoader as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was installed
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]  # same interface, other class

MAX_INPUT_CHARS = 16 * 1024 * 1024  # one file or stdin; real manifests are far smaller
MAX_DEPTH = 100  # a CronJob's container port sits at depth ~12; managedFields reach ~40
MAX_ALIAS_NODES = 100_000  # nodes that exist only because an alias repeats them, per file
_ = messages("npkit").gettext

_YAML = "tag:yaml.org,2002:"
_MAP, _SEQ = _YAML + "map", _YAML + "seq"
_MERGE = _YAML + "merge"
# Explicit tags go-yaml decodes (the others, e.g. `!!binary` or `!custom`, npkit refuses).
_STANDARD_TAGS = {scalars.STR, scalars.INT, scalars.FLOAT, scalars.BOOL, scalars.NULL, scalars.TIMESTAMP}
MERGE_KEY = object()  # the value of an unquoted `<<` key
_DROP = object()  # stands for a key that was not a scalar


class Node:
    """A composed YAML node: 1-based line and column, expanded size and depth."""

    __slots__ = ("line", "column", "size", "depth")

    def __init__(self, line: int, column: int):
        self.line = line
        self.column = column
        self.size = 1
        self.depth = 1


class Scalar(Node):
    """A scalar: `value` is the Python value (str, int, float, bool or None), `text` as written."""

    __slots__ = ("value", "text", "plain", "key")

    def __init__(self, line: int, column: int, value: object, text: str, plain: bool,
                 key: str | None | EllipsisType = ...):
        super().__init__(line, column)
        self.value = value
        self.text = text
        self.plain = plain  # unquoted: YAML decided its type from how it looks
        # Its text as a mapping key once kubectl made it JSON (None: a null key, which kubectl refuses).
        self.key: str | None = text if isinstance(key, EllipsisType) else key

    def __repr__(self) -> str:
        return f"Scalar({self.value!r} @{self.line})"


class Mapping(Node):
    """A mapping: `entries` maps each key's text to (key node, value node), in order."""

    __slots__ = ("entries",)

    def __init__(self, line: int, column: int):
        super().__init__(line, column)
        self.entries: dict[str, tuple[Scalar, Node]] = {}

    def __repr__(self) -> str:
        return f"Mapping({list(self.entries)} @{self.line})"


class Sequence(Node):
    """A sequence of nodes."""

    __slots__ = ("items",)

    def __init__(self, line: int, column: int):
        super().__init__(line, column)
        self.items: list[Node] = []

    def __repr__(self) -> str:
        return f"Sequence({len(self.items)} items @{self.line})"


@dataclass(frozen=True)
class Document:
    """One YAML document of a stream. `root` is None for an empty document."""

    root: Node | None
    line: int


class _Stop(Exception):
    """A problem after which the rest of the stream cannot be trusted."""

    def __init__(self, message: str, line: int, column: int | None = None):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


class _Frame:
    __slots__ = ("node", "key", "merges", "anchor")

    def __init__(self, node: Node, anchor: str | None):
        self.node = node
        self.key: Scalar | None = None  # mapping key waiting for its value
        self.merges: list[Node] = []  # `<<` values, applied when the mapping ends
        self.anchor = anchor


class _Converted(NamedTuple):
    """What a scalar event stands for: its value, its text as a key, and why npkit refuses it (or None)."""

    value: object
    key: str | None
    problem: str | None = None


def _convert(event: ev.ScalarEvent) -> _Converted:
    """The scalar as kubectl reads it: go-yaml's resolution, then its JSON form (scalars.py)."""
    text, tag = event.value, event.tag
    if tag is None and event.implicit[0]:  # plain: how it looks decides what it is
        if text == "<<":
            return _Converted(MERGE_KEY, text)
        raw = scalars.resolve(text)[1]
        return _Converted(scalars.to_json(raw), scalars.json_key(raw))
    if tag is None or tag == "!":  # quoted or a block scalar, or the non-specific tag: text
        return _Converted(text, text)
    if tag == _MERGE:
        return _Converted(MERGE_KEY, text)
    if tag not in _STANDARD_TAGS:
        return _Converted(text, text, _("cannot read {text} with YAML tag {tag}; npkit reads only plain data "
                                        "(strings, numbers, booleans, null, lists and mappings)").format(
            text=repr(text), tag=repr(tag)))
    accepted, value = scalars.resolve_tagged(tag, text)
    short = "!!" + tag[len(_YAML):]
    if not accepted:
        return _Converted(text, text, _("cannot read {text} as {tag}, as kubectl cannot; remove the tag").format(
            text=repr(text), tag=short))
    return _Converted(value, text if value is scalars.NOT_JSON else scalars.json_key(value))


def read_documents(text: str, filename: str) -> tuple[list[Document], list[Diagnostic]]:
    """Compose every document in `text` (with the line each starts on); problems come back as Diagnostics.

    >>> docs, problems = read_documents("a: 1\\n---\\nb: [x, z]\\n", "f.yaml")
    >>> [d.line for d in docs], problems
    ([1, 2], [])
    """
    diagnostics: list[Diagnostic] = []
    if len(text) > MAX_INPUT_CHARS:
        msg = _("input is {n} characters; npkit reads at most {limit} characters per file").format(
            n=f"{len(text):,}", limit=f"{MAX_INPUT_CHARS:,}")
        return [], [Diagnostic("error", msg, Origin(filename, 1))]
    builder = _Builder(filename, diagnostics)
    try:
        for event in yaml.parse(text, Loader=_Parser):
            builder.feed(event)
    except _Stop as stop:
        diagnostics.append(Diagnostic("error", stop.message, Origin(filename, stop.line), column=stop.column))
    except yaml.MarkedYAMLError as err:
        diagnostics.append(_syntax_error(err, text, filename))
    except yaml.reader.ReaderError as err:  # characters that YAML text may not contain
        line = text.count("\n", 0, err.position) + 1
        char = err.character if isinstance(err.character, str) else chr(err.character)
        message = _("character {char} ({code}) is not allowed in YAML text").format(char=repr(char),
                                                                                    code=f"U+{ord(char):04X}")
        diagnostics.append(Diagnostic("error", message, Origin(filename, line)))
    return builder.documents, diagnostics


def _syntax_error(err: yaml.MarkedYAMLError, text: str, filename: str) -> Diagnostic:
    mark = err.problem_mark or err.context_mark
    line = mark.line + 1 if mark else 0
    column = mark.column + 1 if mark else None
    problem = err.problem or "invalid YAML"
    if "maximum nesting depth" in problem:  # libyaml's own limit (1000) can strike before ours
        message = _("YAML is nested more than {n} levels deep; npkit refuses such input").format(n=MAX_DEPTH)
        return Diagnostic("error", message, Origin(filename, line), column=column)
    message = _("YAML syntax error: {problem}").format(problem=problem)  # the parser's own words stay English
    if err.context and err.context_mark and err.context_mark is not mark:
        message += _(" ({context} at line {line})").format(context=err.context, line=err.context_mark.line + 1)
    lines = text.split("\n")
    if line > len(lines):  # the parser stopped past the end: point at the end of the last line instead
        line, column = len(lines), len(lines[-1]) + 1
    bad_line = lines[line - 1] if line else ""
    if "\t" in bad_line[: len(bad_line) - len(bad_line.lstrip())]:
        message += _("; YAML does not allow tabs for indentation, use spaces")
    elif "mapping values are not allowed" in problem:
        message += _("; check the indentation and that every 'key: value' has a space after the colon")
    if column is not None:
        message += _(" (column {column})").format(column=column)
    return Diagnostic("error", message, Origin(filename, line), column=column)


def _position(event: ev.Event) -> tuple[int, int]:
    """1-based line and column where `event` starts (both parsers always give a start mark)."""
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)


class _Builder:
    """Turns parser events into nodes (an iterative composer)."""

    def __init__(self, filename: str, diagnostics: list[Diagnostic]):
        self.filename = filename
        self.diagnostics = diagnostics
        self.documents: list[Document] = []
        self.stack: list[_Frame] = []
        self.anchors: dict[str, Node] = {}
        self.open_anchors: set[str] = set()  # collections still being built
        self.alias_nodes = 0
        self.doc_line = 1
        self.root: Node | None = None
        self.scalar_cache: dict[tuple[str | None, str, tuple[bool, bool]], _Converted] = {}  # same text, same value

    def error(self, message: str, line: int) -> None:
        self.diagnostics.append(Diagnostic("error", message, Origin(self.filename, line)))

    def warning(self, message: str, line: int) -> None:
        self.diagnostics.append(Diagnostic("warning", message, Origin(self.filename, line)))

    def feed(self, event: ev.Event) -> None:
        if isinstance(event, ev.ScalarEvent):  # the commonest first
            self.add(self.scalar(event), event.anchor)
        elif isinstance(event, ev.CollectionStartEvent):
            mapping = isinstance(event, ev.MappingStartEvent)
            self.check_collection_tag(event, _MAP if mapping else _SEQ)
            line, column = _position(event)
            if len(self.stack) >= MAX_DEPTH:
                raise _Stop(_("YAML is nested more than {n} levels deep; npkit refuses such input").format(
                    n=MAX_DEPTH), line, column)
            node: Node = Mapping(line, column) if mapping else Sequence(line, column)
            if event.anchor:
                self.open_anchors.add(event.anchor)
            self.stack.append(_Frame(node, event.anchor))
        elif isinstance(event, ev.CollectionEndEvent):
            frame = self.stack.pop()
            if frame.merges:
                self.apply_merges(frame)
            if frame.anchor:
                self.open_anchors.discard(frame.anchor)
            self.add(frame.node, frame.anchor)
        elif isinstance(event, ev.AliasEvent):
            self.add(self.alias(event), None)
        elif isinstance(event, ev.DocumentStartEvent):
            self.anchors.clear()  # anchors are local to their document
            self.root = None
            self.doc_line = _position(event)[0]
        elif isinstance(event, ev.DocumentEndEvent):
            self.documents.append(Document(self.root, self.doc_line))

    def scalar(self, event: ev.ScalarEvent) -> Scalar:
        line, column = _position(event)
        key = (event.tag, event.value, event.implicit)
        converted = self.scalar_cache.get(key)
        if converted is None:
            converted = self.scalar_cache[key] = _convert(event)
        if converted.problem is not None:
            self.error(converted.problem, line)
        # libyaml says "" for the plain style, PyYAML None
        return Scalar(line, column, converted.value, event.value, not event.style, converted.key)

    def check_collection_tag(self, event: ev.CollectionStartEvent, expected: str) -> None:
        if event.tag not in (None, "!", expected):
            self.error(_("unsupported YAML tag {tag}; npkit reads only plain data").format(tag=repr(event.tag)),
                       _position(event)[0])

    def alias(self, event: ev.AliasEvent) -> Node:
        line, column = _position(event)
        if event.anchor is None:  # the parser never makes one without a name
            raise _Stop(_("an alias without a name"), line, column)
        if event.anchor in self.open_anchors:
            raise _Stop(_("alias *{anchor} refers to the collection that contains it; Kubernetes objects cannot be "
                          "recursive").format(anchor=event.anchor), line, column)
        target = self.anchors.get(event.anchor)
        if target is None:
            raise _Stop(_("alias *{anchor} refers to no anchor &{anchor} defined before it").format(
                anchor=event.anchor), line, column)
        self.alias_nodes += target.size
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise _Stop(_("YAML aliases expand to more than {n} nodes (an alias bomb?); npkit refuses such "
                          "input").format(n=f"{MAX_ALIAS_NODES:,}"), line, column)
        if len(self.stack) + target.depth > MAX_DEPTH:
            raise _Stop(_("YAML is nested more than {n} levels deep once aliases are expanded").format(n=MAX_DEPTH),
                        line, column)
        return target

    def add(self, node: Node, anchor: str | None) -> None:
        if anchor:
            self.anchors[anchor] = node
        if not self.stack:
            self.root = node
            return
        frame = self.stack[-1]
        parent = frame.node
        parent.size += node.size
        if node.depth + 1 > parent.depth:
            parent.depth = node.depth + 1
        if frame.key is None and isinstance(parent, Mapping):
            frame.key = self.key(node)
            return
        if isinstance(node, Scalar) and node.value is scalars.NOT_JSON:
            self.error(_("{text} is not a number JSON can carry, so kubectl refuses it (json: unsupported value); "
                         "write a number, or quote it for text").format(text=node.text), node.line)
        if isinstance(parent, Sequence):
            parent.items.append(node)
            return
        key, frame.key = frame.key, None
        if key is None or not isinstance(parent, Mapping):  # a mapping's value comes after its key
            raise InternalError("a YAML mapping value without its key")
        if key.value is MERGE_KEY:
            frame.merges.append(node)
        elif key.value is not _DROP and key.key is not None:
            self.put(parent, key, key.key, node)

    def put(self, parent: Mapping, key: Scalar, text: str, node: Node) -> None:
        """Enter `key: node` in `parent`, unless the key is already there (an error)."""
        if text in parent.entries:
            first = parent.entries[text][0]
            self.error(_('duplicate key "{key}" (first defined at line {line}); Kubernetes refuses objects with '
                         "repeated keys").format(key=text, line=first.line), key.line)
            return
        parent.entries[text] = (key, node)

    def key(self, node: Node) -> Scalar:
        """A mapping key, with the text kubectl's JSON gives it; _DROP stands for one it cannot have."""
        if not isinstance(node, Scalar):
            self.error(_("mapping keys must be plain strings, not lists or mappings"), node.line)
            return Scalar(node.line, node.column, _DROP, "", True)  # its value is dropped too
        if node.value is MERGE_KEY:
            return node
        if node.key is None:
            if node.text:
                message = _("a mapping key must not be null ({text}); kubectl refuses it (unsupported map key)")
            else:
                message = _("a mapping key must not be null (nothing); kubectl refuses it (unsupported map key)")
            self.error(message.format(text=node.text), node.line)
            return Scalar(node.line, node.column, _DROP, node.text, True)
        if node.key != node.text:
            self.warning(_("YAML reads the unquoted key {text} as {key} (not the text {quoted}), and so does kubectl; "
                           "quote it if you mean the text").format(text=node.text, key=repr(node.key),
                                                                   quoted=repr(node.text)), node.line)
        return node

    def apply_merges(self, frame: _Frame) -> None:
        """`<<: *defaults` and `<<: [*a, *b]`: keys written in the mapping win, then earlier sources."""
        target = frame.node
        assert isinstance(target, Mapping)
        for merge in frame.merges:
            sources = merge.items if isinstance(merge, Sequence) else [merge]
            for source in sources:
                if not isinstance(source, Mapping):
                    self.error(_("a merge key (<<) needs a mapping or a list of mappings"), source.line)
                    continue
                for text, entry in source.entries.items():
                    target.entries.setdefault(text, entry)
