"""Typed, path-aware access to composed YAML that reports problems instead of raising.

A kind loader reads an object through `Fields` (a mapping whose keys were checked against
the field names the kind allows) and `Field` (one value). Every accessor knows its field
path (`spec.ingress[0].from[1].ipBlock.except[0]`) and line, and a wrong type, a missing
required field or an unknown field becomes a Diagnostic in the object's `Report`; the
accessor then returns None and the loader carries on, so one run reports every error.

Null counts as absent, as it does when the API server decodes JSON into Go structs.

>>> from npkit.loading.yamlio import read_documents
>>> docs, _ = read_documents("spec:\\n  podSelecter: {}\\n  ports: 80\\n", "p.yaml")
>>> report = Report("p.yaml")
>>> top = Field(docs[0].root, "", report).as_map({"spec"})
>>> spec = top.get_map("spec", {"podSelector", "ports"})
>>> spec.get_list("ports") is None
True
>>> for d in report.diagnostics: print(d)
p.yaml:2: error: spec.podSelecter: unknown field "podSelecter"; did you mean "podSelector"?
p.yaml:3: error: spec.ports: must be a list (YAML "- item" lines or [a, b]), not the number 80
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, KeysView
from collections.abc import Mapping as Mapping_  # Mapping is the YAML node type here
from operator import itemgetter

from npkit.errors import InternalError
from npkit.i18n import messages
from npkit.model import Diagnostic, ObjectRef, Origin
from npkit.model.diagnostics import Severity

from .scalars import NOT_JSON
from .spelling import closest, did_you_mean
from .yamlio import Mapping, Node, Scalar, Sequence

_ = messages("npkit").gettext


def scalar_text(entry: tuple[int, Node] | None) -> str | None:
    """The text of a mapping entry (key line, value) whose value is a string scalar; None for anything else.

    For the quick readers of usual objects, which look at nodes without making Fields.
    """
    if entry is not None and type(entry[1]) is Scalar and type(entry[1].value) is str:
        return entry[1].value
    return None


def child_path(path: str, key: str) -> str:
    """The path of `key` inside `path`; keys that are not identifiers go in brackets.

    >>> child_path("spec", "podSelector"), child_path("metadata.labels", "app.kubernetes.io/name")
    ('spec.podSelector', 'metadata.labels["app.kubernetes.io/name"]')
    """
    if key.isascii() and key.replace("$", "_").isidentifier():  # [A-Za-z_$][A-Za-z0-9_$]*
        return f"{path}.{key}" if path else key
    quoted = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{path}["{quoted}"]'


def describe(node: Node) -> str:
    """How a node looks to a learner, for 'must be X, not Y' messages.

    >>> from npkit.loading.yamlio import Scalar
    >>> describe(Scalar(1, 1, True, "yes", True))
    'the boolean yes'
    """
    if isinstance(node, Mapping):
        return _("a mapping (key: value pairs)")
    if isinstance(node, Sequence):
        return _("a list")
    assert isinstance(node, Scalar)
    value = node.value
    if value is None:
        return _("null")
    if isinstance(value, bool):
        return _("the boolean {text}").format(text=node.text)
    if isinstance(value, (int, float)) or value is NOT_JSON:
        return _("the number {text}").format(text=node.text)
    return _('the text "{text}"').format(text=value)


SHOWN_CHARS = 64  # longer offending values are cut, so that one line stays readable


def shown(value: object) -> str:
    """An offending value as the API server quotes it after "Invalid value: ": text in double quotes,
    numbers bare, and text longer than SHOWN_CHARS cut (with its length).

    >>> shown("10.0.0.300/24"), shown(70000), shown("0123456789" * 10)[-25:]
    ('"10.0.0.300/24"', '70000', '0123..." (100 characters)')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    import json  # here: only a message needs it, and most runs have none to give

    text = str(value)
    if len(text) > SHOWN_CHARS:
        return json.dumps(text[:SHOWN_CHARS], ensure_ascii=False)[:-1] + '..."' + _(" ({n} characters)").format(
            n=len(text))
    return json.dumps(text, ensure_ascii=False)


def invalid(value: object, problem: str) -> str:
    """The API server's message for a value it refuses: `Invalid value: "10.0.0.300/24": must be a CIDR ...`."""
    return _("Invalid value: {value}: {problem}").format(value=shown(value), problem=problem)


class Report:
    """Collects the diagnostics of one file or object; `obj` names the object once known."""

    def __init__(self, file: str, obj: ObjectRef | None = None):
        self.file = file
        self.obj = obj
        self.diagnostics: list[Diagnostic] = []
        self.error_count = 0  # compare before and after reading a part to see if it was valid

    def add(self, severity: Severity, message: str, line: int, path: str = "", column: int | None = None) -> None:
        if severity == "error":
            self.error_count += 1
        self.diagnostics.append(Diagnostic(severity, message, Origin(self.file, line), self.obj, path, column))

    def error(self, message: str, line: int, path: str = "", column: int | None = None) -> None:
        self.add("error", message, line, path, column)

    def warning(self, message: str, line: int, path: str = "") -> None:
        self.add("warning", message, line, path)

    def info(self, message: str, line: int, path: str = "") -> None:
        self.add("info", message, line, path)



class Field:
    """One value in an object: its node, field path, line and the report to complain to.

    `line` is the line of the key for a mapping entry (where a learner looks for the
    field) unless the value is a scalar on a later line, and the item's line in a list.
    """

    __slots__ = ("node", "_path", "_parent", "report", "line")

    def __init__(self, node: Node, path: str | int, report: Report, key_line: int | None = None,
                 parent: Field | Fields | None = None):
        """`path` is the field path, or with `parent` the key (a string) or list index (an int) in it."""
        self.node = node
        # The path is only needed for messages, so a child's is worked out from its parent's when asked for.
        self._path = path
        self._parent = parent
        self.report = report
        self.line = node.line if key_line is None or type(node) is Scalar else key_line

    @property
    def path(self) -> str:
        """The field path, e.g. `spec.ingress[0].from[1]`."""
        path, parent = self._path, self._parent
        if parent is not None:
            path = f"{parent.path}[{path}]" if isinstance(path, int) else child_path(parent.path, path)
            self._path, self._parent = path, None
        assert isinstance(path, str)
        return path

    def __repr__(self) -> str:
        return f"Field({self.path!r} @{self.line})"

    @property
    def is_null(self) -> bool:
        return isinstance(self.node, Scalar) and self.node.value is None

    @property
    def refused(self) -> bool:
        """A value yamlio already refused (.inf or .nan, which kubectl cannot send): say nothing more of it."""
        return isinstance(self.node, Scalar) and self.node.value is NOT_JSON

    def error(self, message: str, column: int | None = None) -> None:
        self.report.error(message, self.line, self.path, column)

    def warning(self, message: str) -> None:
        self.report.warning(message, self.line, self.path)

    def invalid(self, problems: Iterable[str], value: object = None) -> bool:
        """Report each problem with the offending value, as the API server does; True if there was any.

        `value` defaults to this field's own value (give it for a value that was parsed or is a key).
        """
        if value is None and isinstance(self.node, Scalar):
            value = self.node.value
        found = False
        for problem in problems:
            self.error(invalid(value, problem))
            found = True
        return found

    def _wrong(self, expected: str, hint: str = "") -> None:
        """"must be a string, not the number 80": `expected` is a translated noun, `hint` a translated "; ..."."""
        if self.refused:
            return
        self.error(_("must be {expected}, not {actual}{hint}").format(expected=expected, actual=describe(self.node),
                                                                       hint=hint))

    def as_str(self) -> str | None:
        """The text of a string scalar; numbers and booleans are errors, as in Kubernetes."""
        node = self.node
        if type(node) is Scalar and type(node.value) is str:
            return node.value
        hint = ""
        if isinstance(node, Scalar) and node.plain and node.value is not None:
            hint = _('; YAML reads unquoted {text} that way, write "{text}" in quotes for text').format(text=node.text)
        self._wrong(_("a string"), hint)
        return None

    def as_int(self) -> int | None:
        node = self.node
        if isinstance(node, Scalar) and isinstance(node.value, int) and not isinstance(node.value, bool):
            return node.value
        hint = ""
        if isinstance(node, Scalar) and isinstance(node.value, str) and node.value.strip().isdigit():
            hint = _("; remove the quotes to make it a number")
        self._wrong(_("a whole number"), hint)
        return None

    def as_bool(self) -> bool | None:
        node = self.node
        if isinstance(node, Scalar) and isinstance(node.value, bool):
            return node.value
        self._wrong(_("true or false"))
        return None

    def as_int_or_str(self) -> int | str | None:
        """Kubernetes IntOrString: a whole number, or a string (quoted digits stay a string)."""
        node = self.node
        if isinstance(node, Scalar) and not isinstance(node.value, bool):
            if isinstance(node.value, (int, str)):
                return node.value
        self._wrong(_("a number or a name"))
        return None

    def as_list(self) -> list[Field] | None:
        """The items of a list, each with its `path[i]`."""
        node = self.node
        if isinstance(node, Sequence):
            return [Field(item, i, self.report, None, self) for i, item in enumerate(node.items)]
        self._wrong(_('a list (YAML "- item" lines or [a, b])'))
        return None

    def as_map(self, known: Collection[str] | None, misplaced: Mapping_[str, str] | None = None) -> Fields | None:
        """A mapping whose keys must be among `known` (None: any key, content not checked).

        `misplaced` maps field names that belong elsewhere to where they belong, so an
        indentation slip gets a better hint than "unknown field".

        Null reads as an empty mapping: a list item written as a bare "-" is the zero value
        of its type to the API server, e.g. an empty rule. (Null mapping fields never get
        here: `Fields.get` treats them as absent.)
        """
        node = self.node
        if type(node) is Mapping:
            return Fields(node, self, self.report, known, self.line, misplaced)
        if self.is_null:
            return Fields(Mapping(node.line, node.column), self, self.report, known, self.line, misplaced)
        self._wrong(_("a mapping (key: value pairs)"))
        return None

    def as_str_map(self) -> dict[str, Field] | None:
        """A mapping of string keys to string values (labels, annotations, matchLabels).

        Returns each key's text with the Field of its value; type errors are reported.
        """
        fields = self.as_map(None)
        if fields is None:
            return None
        out: dict[str, Field] = {}
        for key, value in fields.items():
            if value.is_null:
                value.error(_('must be a string; write "" for an empty value'))
            elif value.as_str() is not None:
                out[key] = value
        return out


_NONE: frozenset[str] = frozenset()


def _all_in(keys: KeysView[str], known: Collection[str]) -> bool:
    return keys <= known if isinstance(known, (set, frozenset)) else all(k in known for k in keys)


class Fields:
    """A mapping node read as an object with known field names."""

    __slots__ = ("node", "_path", "report", "line", "misspelt")

    def __init__(self, node: Mapping, path: str | Field, report: Report, known: Collection[str] | None,
                 line: int | None = None, misplaced: Mapping_[str, str] | None = None):
        """`path` is the field path, or the Field this mapping is the value of (its path is worked out when needed)."""
        self.node = node
        self._path = path
        self.report = report
        self.line = node.line if line is None else line  # the key's line when read from a field
        self.misspelt: frozenset[str] | set[str] = _NONE  # fields an unknown key was probably meant to be
        if known is not None and not (node.entries.keys() <= known if type(known) is frozenset
                                      else _all_in(node.entries.keys(), known)):
            self._unknown(known, misplaced)

    def _unknown(self, known: Collection[str], misplaced: Mapping_[str, str] | None) -> None:
        """Report each key that is not a field name, with the field it was probably meant to be."""
        for text, (key_line, _value) in self.node.entries.items():
            if text in known:
                continue
            if misplaced and text in misplaced:
                hint = _("; {field} belongs {where} (check the indentation)").format(field=text,
                                                                                      where=_(misplaced[text]))
            else:
                suggestions = closest(text, known)
                self.misspelt = {*self.misspelt, *suggestions}
                hint = did_you_mean(suggestions)
            self.report.error(_('unknown field "{field}"{hint}').format(field=text, hint=hint), key_line,
                              child_path(self.path, text))

    @property
    def path(self) -> str:
        """The field path of this mapping, e.g. `spec.ingress[0]`."""
        path = self._path
        return path if isinstance(path, str) else path.path

    def __contains__(self, name: str) -> bool:
        entry = self.node.entries.get(name)
        return entry is not None and not (type(entry[1]) is Scalar and entry[1].value is None)

    def check(self, name: str, problems: list[str]) -> bool:
        """Report `problems` (a validation rule's answer) on field `name`, which was just read; True if any.

        The same as `self.at(name).invalid(problems)`, without making a Field for a valid value.
        """
        return bool(problems) and self.at(name).invalid(problems)

    def keys(self) -> list[str]:
        return list(self.node.entries)

    def items(self) -> Iterator[tuple[str, Field]]:
        """Every entry, null values included."""
        for text, (key_line, value) in self.node.entries.items():
            yield text, Field(value, text, self.report, key_line, self)

    def find(self, *names: str) -> Field | None:
        """The field at `names` below this one, through nested mappings, without any checks.

        For pointing a diagnostic at a field that was already read and validated.
        """
        fields: Fields | None = self
        field = None
        for name in names:
            field = fields.get(name) if fields is not None else None
            if field is None:
                return None
            fields = Fields(field.node, field, self.report, None) if isinstance(field.node, Mapping) else None
        return field

    def at(self, name: str) -> Field:
        """The field called `name`, which the caller has just read, so knows is there."""
        field = self.get(name)
        if field is None:
            raise InternalError(f"{child_path(self.path, name)} was read, yet it is absent")
        return field

    def get(self, name: str) -> Field | None:
        """The field called `name`, or None when it is absent or null."""
        entry = self.node.entries.get(name)
        if entry is None:
            return None
        node = entry[1]
        if type(node) is Scalar and node.value is None:
            return None
        return Field(node, name, self.report, entry[0], self)

    def _plain(self, name: str, kind: type) -> object:
        """The value of scalar `name` if it is exactly of type `kind` (the usual case: no Field is made), else None."""
        entry = self.node.entries.get(name)
        if entry is not None:
            node = entry[1]
            if type(node) is Scalar and type(node.value) is kind:
                return node.value
        return None

    def missing(self, name: str, why: str = "") -> None:
        """Report that required field `name` is absent (unless a misspelling of it was reported)."""
        if name in self.misspelt:
            return
        path = child_path(self.path, name)
        self.report.error(_("required field {field} is missing{why}").format(field=name, why=why), self.line, path)

    def _get(self, name: str, required: bool) -> Field | None:
        field = self.get(name)
        if field is None and required:
            self.missing(name)
        return field

    def get_str(self, name: str, *, required: bool = False) -> str | None:
        value = self._plain(name, str)
        if value is not None:
            return value  # type: ignore[return-value]  # _plain checked its type
        field = self._get(name, required)
        return None if field is None else field.as_str()

    def get_int(self, name: str, *, required: bool = False) -> int | None:
        value = self._plain(name, int)
        if value is not None:
            return value  # type: ignore[return-value]  # _plain checked its type
        field = self._get(name, required)
        return None if field is None else field.as_int()

    def get_bool(self, name: str, *, required: bool = False) -> bool | None:
        value = self._plain(name, bool)
        if value is not None:
            return value  # type: ignore[return-value]  # _plain checked its type
        field = self._get(name, required)
        return None if field is None else field.as_bool()

    def get_list(self, name: str, *, required: bool = False) -> list[Field] | None:
        field = self._get(name, required)
        return None if field is None else field.as_list()

    def get_map(self, name: str, known: Collection[str] | None, *, required: bool = False,
                misplaced: Mapping_[str, str] | None = None) -> Fields | None:
        field = self._get(name, required)
        return None if field is None else field.as_map(known, misplaced)

    def get_str_list(self, name: str, *, required: bool = False) -> list[tuple[str, Field]] | None:
        """A list of strings, each with its Field (for per-item errors)."""
        items = self.get_list(name, required=required)
        if items is None:
            return None
        out = []
        for item in items:
            text = item.as_str()
            if text is not None:
                out.append((text, item))
        return out


def field_lines(node: Node, path: str = "") -> dict[str, int]:
    """Every field path under `node` (including `path` itself) mapped to its line.

    Mapping entries map to their key's line. Used for the `field_lines` of policies.

    >>> from npkit.loading.yamlio import read_documents
    >>> docs, _ = read_documents("spec:\\n  ingress:\\n  - from:\\n    - podSelector: {}\\n", "p.yaml")
    >>> field_lines(docs[0].root)["spec.ingress[0].from[0].podSelector"]
    4
    """
    lines: dict[str, int] = {}
    todo: list[tuple[Node, str, int]] = [(node, path, node.line)]
    while todo:  # iterative: depth is bounded by yamlio, but recursion is not needed
        current, current_path, line = todo.pop()
        if current_path:
            lines[current_path] = line
        if isinstance(current, Mapping):
            for text, (key_line, value) in current.entries.items():
                todo.append((value, child_path(current_path, text), key_line))
        elif isinstance(current, Sequence):
            for i, item in enumerate(current.items):
                todo.append((item, f"{current_path}[{i}]", item.line))
    return dict(sorted(lines.items(), key=itemgetter(1)))


class FieldLines(Mapping_[str, int]):
    """`field_lines(node)`, worked out the first time it is read: most runs never ask a policy for the
    line of one of its fields (explain and lint do), and working it out for every policy took 7 ms
    of each 0.3 s `npkit connlist` over 200 policies."""

    __slots__ = ("_node", "_lines")

    def __init__(self, node: Node):
        self._node: Node | None = node
        self._lines: dict[str, int] | None = None

    def _all(self) -> dict[str, int]:
        if self._lines is None:
            assert self._node is not None
            self._lines, self._node = field_lines(self._node), None  # the node is not needed any more
        return self._lines

    def __getitem__(self, path: str) -> int:
        return self._all()[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return f"FieldLines({self._all()!r})"
