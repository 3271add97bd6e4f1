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

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from types import EllipsisType
from typing import Any, NamedTuple

from npkit.errors import InternalError
from npkit.i18n import messages
from npkit.model import Diagnostic, Origin

from . import scalars

TYPE_CHECKING = False  # typing's is not needed: PyYAML is imported only for text the fast path hands over
if TYPE_CHECKING:
    import yaml
    from yaml import events as ev


@cache
def _pyyaml() -> tuple[Any, Any, Any]:
    """PyYAML, its events and its parser class, imported when a text needs them (blockyaml.py reads the
    usual manifests without them, and a command that reads only those never pays for importing them)."""
    import yaml
    from yaml import events

    # libyaml is about 5x faster; fall back silently when PyYAML was built without it
    parser = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    return yaml, events, parser

MAX_INPUT_CHARS = 16 * 1024 * 1024  # one file or stdin; real manifests are far smaller
MAX_DEPTH = 100  # a CronJob's container port sits at depth ~12; managedFields reach ~40
MAX_ALIAS_NODES = 100_000  # nodes that exist only because an alias repeats them, per file
_ = messages("npkit").gettext

_YAML = "tag:yaml.org,2002:"
_MAP, _SEQ = _YAML + "map", _YAML + "seq"
_MERGE_TAG = _YAML + "merge"
# Explicit tags go-yaml decodes (the others, e.g. `!!binary` or `!custom`, npkit refuses).
_STANDARD_TAGS = {scalars.STR, scalars.INT, scalars.FLOAT, scalars.BOOL, scalars.NULL, scalars.TIMESTAMP}
MERGE_KEY = object()  # the value of an unquoted `<<` key


class _Marker:
    """What a mapping's pending key is when it is not text (see _Frame.key)."""


_MERGE = _Marker()  # a merge key: its value is merged into the mapping
_DROP = _Marker()  # a key kubectl cannot have: its value is dropped


class Node:
    """A composed YAML node: 1-based line and column, expanded size and depth."""

    __slots__ = ("line", "column")

    # Scalars have these as class constants (1, 1); collections as slots, set while they are built.
    size: int
    depth: int

    def __init__(self, line: int, column: int):
        self.line = line
        self.column = column


class Scalar(Node):
    """A scalar: `value` is the Python value (str, int, float, bool or None), `text` as written."""

    __slots__ = ("value", "text", "plain", "key")
    size = 1
    depth = 1

    def __init__(self, line: int, column: int, value: object, text: str, plain: bool,
                 key: str | None | EllipsisType = ...):
        # One object per scalar of every input: the attributes are set here, not by Node.__init__.
        self.line = line
        self.column = column
        self.value = value
        self.text = text
        self.plain = plain  # unquoted: YAML decided its type from how it looks
        # Its text as a mapping key once kubectl made it JSON (None: a null key, which kubectl refuses).
        self.key: str | None = text if isinstance(key, EllipsisType) else key

    def __repr__(self) -> str:
        return f"Scalar({self.value!r} @{self.line})"


class Collection(Node):
    """A mapping or a sequence: its size and depth grow as its children are placed in it."""

    __slots__ = ("size", "depth")

    def holds(self, child: Node) -> None:
        """Count `child`, just placed inside this collection, in its expanded size and depth."""
        self.size += child.size
        if child.depth >= self.depth:
            self.depth = child.depth + 1


class Mapping(Collection):
    """A mapping: `entries` maps each key's text to (the key's line, value node), in order."""

    __slots__ = ("entries",)

    def __init__(self, line: int, column: int):
        # One object per collection of every input: set here rather than through Collection.__init__.
        self.line = line
        self.column = column
        self.size = 1
        self.depth = 1
        self.entries: dict[str, tuple[int, Node]] = {}

    def __repr__(self) -> str:
        return f"Mapping({list(self.entries)} @{self.line})"


class Sequence(Collection):
    """A sequence of nodes."""

    __slots__ = ("items",)

    def __init__(self, line: int, column: int):
        # One object per collection of every input: set here rather than through Collection.__init__.
        self.line = line
        self.column = column
        self.size = 1
        self.depth = 1
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
    """A collection being built: its node, and (for speed) the node's entries or items."""

    __slots__ = ("node", "entries", "items", "key", "key_line", "merges", "anchor")

    def __init__(self, node: Mapping | Sequence, anchor: str | None):
        self.node = node
        self.entries = node.entries if type(node) is Mapping else None
        self.items = node.items if type(node) is Sequence else None
        # A mapping's key waiting for its value (its text, or _MERGE or _DROP), and the key's line.
        self.key: str | _Marker | None = None
        self.key_line = 0
        self.merges: list[Node] = []  # `<<` values, applied when the mapping ends
        self.anchor = anchor


class _Converted(NamedTuple):
    """What a scalar event stands for: its value, its text as a key, and why npkit refuses it (or None)."""

    value: object
    key: str | None
    problem: str | None = None


def _convert_plain(text: str) -> _Converted:
    """A plain (untagged, unquoted) scalar as kubectl reads it: how it looks decides what it is."""
    if text == "<<":
        return _Converted(MERGE_KEY, text)
    raw = scalars.resolve(text)[1]
    return _Converted(scalars.to_json(raw), scalars.json_key(raw))


def _convert(event: ev.ScalarEvent) -> _Converted:
    """The scalar as kubectl reads it: go-yaml's resolution, then its JSON form (scalars.py)."""
    text, tag = event.value, event.tag
    if tag is None and event.implicit[0]:  # plain: how it looks decides what it is
        return _convert_plain(text)
    if tag is None or tag == "!":  # quoted or a block scalar, or the non-specific tag: text
        return _Converted(text, text)
    if tag == _MERGE_TAG:
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


class _PlainValues:
    """(value, key text) of each plain scalar as kubectl reads it, made once per text; None for a
    scalar only the full reader handles (the merge key `<<`, and .inf or .nan, which it reports)."""

    def __init__(self) -> None:
        self.cache: dict[str, tuple[object, str | None] | None] = {}

    def __call__(self, text: str) -> tuple[object, str | None] | None:
        if text in self.cache:
            return self.cache[text]
        found = _convert_plain(text)
        plain = None if found.value is MERGE_KEY or found.value is scalars.NOT_JSON else (found.value, found.key)
        self.cache[text] = plain
        return plain


def read_documents(text: str, filename: str) -> tuple[list[Document], list[Diagnostic]]:
    """Compose every document in `text` (with the line each starts on); problems come back as Diagnostics.

    >>> docs, problems = read_documents("a: 1\\n---\\nb: [x, z]\\n", "f.yaml")
    >>> [d.line for d in docs], problems
    ([1, 2], [])
    """
    if len(text) > MAX_INPUT_CHARS:
        msg = _("input is {n} characters; npkit reads at most {limit} characters per file").format(
            n=f"{len(text):,}", limit=f"{MAX_INPUT_CHARS:,}")
        return [], [Diagnostic("error", msg, Origin(filename, 1))]
    from . import blockyaml  # here: it builds this module's nodes

    documents = blockyaml.read(text, _PlainValues())
    if documents is not None:  # the usual shape, read without libyaml's events (see blockyaml.py)
        return documents, []
    return read_events(text, filename)


def read_events(text: str, filename: str) -> tuple[list[Document], list[Diagnostic]]:
    """What read_documents gives, always through the parser's events (libyaml's, or PyYAML's own)."""
    diagnostics: list[Diagnostic] = []
    builder = _Builder(filename, diagnostics)
    yaml = _pyyaml()[0]
    try:
        builder.run(text)
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
    """Turns parser events into nodes (an iterative composer).

    `run` handles the events of ordinary manifests (plain and quoted scalars, mappings, lists)
    inline, because a large input has hundreds of thousands of them; tags, anchors, aliases and
    every problem go through the methods below it.
    """

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
        self.plain_cache: dict[str, tuple[object, str | None]] = {}  # (value, key) of untagged plain scalars

    def error(self, message: str, line: int) -> None:
        self.diagnostics.append(Diagnostic("error", message, Origin(self.filename, line)))

    def warning(self, message: str, line: int) -> None:
        self.diagnostics.append(Diagnostic("warning", message, Origin(self.filename, line)))

    def run(self, text: str) -> None:
        """Parse `text` and build its documents, one handler call per event."""
        _, ev, parser = _pyyaml()
        handlers: dict[type, Callable[[Any], None]] = {
            ev.ScalarEvent: self.on_scalar, ev.MappingStartEvent: self.on_mapping_start,
            ev.SequenceStartEvent: self.on_sequence_start, ev.MappingEndEvent: self.on_end,
            ev.SequenceEndEvent: self.on_end, ev.AliasEvent: self.on_alias,
            ev.DocumentStartEvent: self.on_document_start, ev.DocumentEndEvent: self.on_document_end,
        }
        loader = parser(text)
        try:
            get_event = loader.get_event
            while True:
                event = get_event()
                handler = handlers.get(type(event))
                if handler is not None:
                    handler(event)
                elif isinstance(event, ev.StreamEndEvent):
                    return
        finally:
            loader.dispose()

    def on_scalar(self, event: ev.ScalarEvent) -> None:
        if event.tag is not None or event.anchor is not None:
            self.add(self.scalar(event), event.anchor)
            return
        # An untagged scalar without an anchor, by far the commonest event: placed right here.
        mark: Any = event.start_mark  # both parsers always give one (see _position)
        text = event.value
        value: object = text
        key: str | None = text
        plain = event.implicit[0]
        if plain:  # plain: how it looks decides what it is
            converted = self.plain_cache.get(text)
            if converted is None:
                found = _convert(event)
                converted = self.plain_cache[text] = (found.value, found.key)
            value, key = converted
        if not self.stack:
            self.root = Scalar(mark.line + 1, mark.column + 1, value, text, plain, key)
            return
        frame = self.stack[-1]
        frame.node.size += 1  # (its depth, 2 at least, is set when it ends: see on_end)
        entries = frame.entries
        if entries is not None and frame.key is None:  # a key: no node is kept for it, only its text and line
            if key == text and value is not MERGE_KEY:
                frame.key, frame.key_line = text, mark.line + 1
            else:
                self.set_key(frame, Scalar(mark.line + 1, mark.column + 1, value, text, plain, key))
            return
        node = Scalar(mark.line + 1, mark.column + 1, value, text, plain, key)
        if value is scalars.NOT_JSON:
            self.not_json(node)
        pending = frame.key
        if entries is None:
            frame.items.append(node)  # type: ignore[union-attr]  # a frame has entries or items
        elif type(pending) is str and pending not in entries:
            entries[pending] = (frame.key_line, node)
            frame.key = None
        else:  # a merge key, a dropped key, a duplicate: place() says what to do
            self.place(frame, node)

    def on_mapping_start(self, event: ev.MappingStartEvent) -> None:
        if event.tag is not None:
            self.check_collection_tag(event, _MAP)
        mark: Any = event.start_mark  # both parsers always give one (see _position)
        self.start(Mapping(mark.line + 1, mark.column + 1), event.anchor)

    def on_sequence_start(self, event: ev.SequenceStartEvent) -> None:
        if event.tag is not None:
            self.check_collection_tag(event, _SEQ)
        mark: Any = event.start_mark
        self.start(Sequence(mark.line + 1, mark.column + 1), event.anchor)

    def start(self, node: Mapping | Sequence, anchor: str | None) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise _Stop(_("YAML is nested more than {n} levels deep; npkit refuses such input").format(n=MAX_DEPTH),
                        node.line, node.column)
        if anchor:
            self.open_anchors.add(anchor)
        self.stack.append(_Frame(node, anchor))

    def on_end(self, event: ev.CollectionEndEvent) -> None:
        frame = self.stack.pop()
        node = frame.node
        if node.size > 1 and node.depth < 2:  # it has children: scalars (on_scalar leaves this to here)
            node.depth = 2
        if frame.merges:
            self.apply_merges(frame)
        if frame.anchor or not self.stack:
            if frame.anchor:
                self.open_anchors.discard(frame.anchor)
            self.add(node, frame.anchor)
            return
        # A collection inside another, without an anchor: placed right here (the commonest case).
        outer = self.stack[-1]
        outer.node.holds(node)
        key, entries = outer.key, outer.entries
        if entries is None:
            outer.items.append(node)  # type: ignore[union-attr]  # a frame has entries or items
        elif type(key) is str and key not in entries:
            entries[key] = (outer.key_line, node)
            outer.key = None
        elif key is None:
            self.set_key(outer, node)  # a collection as a key (an error)
        else:
            self.place(outer, node)

    def on_alias(self, event: ev.AliasEvent) -> None:
        self.add(self.alias(event), None)

    def on_document_start(self, event: ev.DocumentStartEvent) -> None:
        self.anchors.clear()  # anchors are local to their document
        self.root = None
        self.doc_line = _position(event)[0]

    def on_document_end(self, event: ev.DocumentEndEvent) -> None:
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
        frame.node.holds(node)
        if frame.entries is not None and frame.key is None:
            self.set_key(frame, node)
            return
        if isinstance(node, Scalar) and node.value is scalars.NOT_JSON:
            self.not_json(node)
        self.place(frame, node)

    def place(self, frame: _Frame, node: Node) -> None:
        """Put `node` in the collection being built: a list's next item, or the value of the pending key."""
        parent = frame.node
        if isinstance(parent, Sequence):
            parent.items.append(node)
            return
        key, frame.key = frame.key, None
        if isinstance(key, str):
            self.put(parent, key, frame.key_line, node)
        elif key is _MERGE:
            frame.merges.append(node)
        elif key is None:  # a mapping's value comes after its key
            raise InternalError("a YAML mapping value without its key")

    def not_json(self, node: Scalar) -> None:
        self.error(_("{text} is not a number JSON can carry, so kubectl refuses it (json: unsupported value); "
                     "write a number, or quote it for text").format(text=node.text), node.line)

    def put(self, parent: Mapping, text: str, line: int, node: Node) -> None:
        """Enter `text: node` in `parent`, unless the key is already there (an error)."""
        first = parent.entries.get(text)
        if first is not None:
            self.error(_('duplicate key "{key}" (first defined at line {line}); Kubernetes refuses objects with '
                         "repeated keys").format(key=text, line=first[0]), line)
            return
        parent.entries[text] = (line, node)

    def set_key(self, frame: _Frame, node: Node) -> None:
        """`node` is the next key of the mapping `frame` builds: its text as kubectl's JSON gives it."""
        frame.key_line = node.line
        if not isinstance(node, Scalar):
            self.error(_("mapping keys must be plain strings, not lists or mappings"), node.line)
            frame.key = _DROP  # its value is dropped too
        elif node.value is MERGE_KEY:
            frame.key = _MERGE
        elif node.key is None:
            if node.text:
                message = _("a mapping key must not be null ({text}); kubectl refuses it (unsupported map key)")
            else:
                message = _("a mapping key must not be null (nothing); kubectl refuses it (unsupported map key)")
            self.error(message.format(text=node.text), node.line)
            frame.key = _DROP
        else:
            if node.key != node.text:
                self.warning(_("YAML reads the unquoted key {text} as {key} (not the text {quoted}), and so does "
                               "kubectl; quote it if you mean the text").format(text=node.text, key=repr(node.key),
                                                                               quoted=repr(node.text)), node.line)
            frame.key = node.key

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
