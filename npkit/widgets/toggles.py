"""Switch the parts of a policy on and off and watch the matrix change.

A `Part` names a field of the policy by its path (`spec.ingress[0].from[1]`). Switching it
off removes its lines from the YAML text (with the comment lines right above it), or puts a
replacement in their place (`podSelector: {}`); the text is then loaded and evaluated like
any other, so the chapter's comments stay and the engine alone decides what it means.

    toggles = PolicyToggles(cluster, chapter_example("example-policy"), [
        Part("spec.ingress[0].from[0]", "from: podSelector role=frontend"),
        Part("spec.podSelector", "podSelector app=web", off="podSelector: {}"),
    ], probes=[(80, "TCP"), (5432, "TCP")])
    toggles                                          # checkboxes above a (read-only) playground
    toggles.state.effect("spec.ingress[0].from[0]")  # what switching exactly that part off changes
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as w
import yaml

from ..diff import compare
from ..engine import Engine
from ..i18n import messages
from ..model import Cluster
from .changes import ChangesView
from .playground import DEFAULT_PROBES, Playground, PlaygroundState, Probe, evaluate
from .view import View
from .wording import listing

_ = messages("npkit-ui").gettext
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass(frozen=True)
class Part:
    """A part of a policy that can be switched off: its field path, a label, and what replaces it
    when off (written at the part's indentation; None removes it)."""

    path: str
    label: str
    off: str | None = None


@dataclass(frozen=True)
class Span:
    """The lines (0-based, inclusive) a part occupies, and the column it starts at."""

    first: int  # with the comment lines right above the part
    start: int  # the part's own first line
    last: int
    column: int


def _steps(path: str) -> list[str | int]:
    steps: list[str | int] = []
    pos = 0
    for match in _STEP.finditer(path):
        if match.start() != pos and path[pos:match.start()] != ".":
            raise ValueError(_("cannot read field path {path!r}").format(path=path))
        steps.append(int(match[2]) if match[2] is not None else match[1])
        pos = match.end()
    if not steps or pos != len(path):
        raise ValueError(_("cannot read field path {path!r}").format(path=path))
    return steps


def _last_line(node: yaml.Node) -> int:
    """The last line holding the node's content. Block collections end at the next token, which may
    sit on a later line, so only scalars and flow collections (whose ends are exact) are trusted."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        end = node.end_mark
        return end.line if end.column > 0 else end.line - 1
    children = [v for pair in node.value for v in pair] if isinstance(node, yaml.MappingNode) else node.value
    return max((_last_line(c) for c in children), default=node.start_mark.line)


def span(text: str, path: str) -> Span:
    """Where the field at `path` sits in the (single-document) YAML `text`.

    >>> span("spec:\\n  # who\\n  podSelector: {}\\n  policyTypes:\\n  - Ingress\\n", "spec.podSelector")
    Span(first=1, start=2, last=2, column=2)
    """
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    lines = text.splitlines()
    start = column = None
    for step in _steps(path):
        if isinstance(step, str) and isinstance(node, yaml.MappingNode):
            found = [(k, v) for k, v in node.value if k.value == step]
            if not found:
                raise KeyError(_("{path}: no field {field!r}").format(path=path, field=step))
            key, node = found[0]
            start, column = key.start_mark.line, key.start_mark.column
        elif isinstance(step, int) and isinstance(node, yaml.SequenceNode):
            if node.flow_style:
                raise ValueError(_("{path}: the list is written inline ([...]); write it one item per line").format(
                    path=path))
            if step >= len(node.value):
                raise KeyError(_("{path}: the list has {n} items").format(path=path, n=len(node.value)))
            node = node.value[step]
            start = node.start_mark.line
            before = lines[start][:node.start_mark.column].rstrip()
            column = len(before) - 1 if before.endswith("-") else node.start_mark.column
        else:
            raise KeyError(_("{path}: {step!r} does not fit the YAML there").format(path=path, step=step))
    if start is None or column is None or node is None:
        raise KeyError(_("{path}: names no field").format(path=path))
    first = start
    while first > 0 and lines[first - 1].strip().startswith("#") and \
            len(lines[first - 1]) - len(lines[first - 1].lstrip()) == column:
        first -= 1
    return Span(first, start, max(start, _last_line(node)), column)


def switch_off(text: str, parts: Iterable[Part]) -> str:
    """`text` with every part in `parts` removed (or replaced by its `off` text).

    >>> print(switch_off("spec:\\n  podSelector:\\n    matchLabels: {app: web}\\n  policyTypes:\\n  - Ingress\\n",
    ...                  [Part("spec.podSelector", "who", off="podSelector: {}")]), end="")
    spec:
      podSelector: {}
      policyTypes:
      - Ingress
    """
    return _cut(text, [(span(text, p.path), p) for p in parts])


def _cut(text: str, edits: Iterable[tuple[Span, Part]]) -> str:
    """`text` with each part removed (or replaced) at its span, as `switch_off` describes."""
    lines = text.splitlines()
    kept: list[tuple[Span, Part]] = []
    # outermost first: a part inside one already switched off goes with it
    for s, p in sorted(edits, key=lambda e: (e[0].first, -e[0].last)):
        if not any(k.first <= s.first and s.last <= k.last for k, _part in kept):
            kept.append((s, p))
    for s, p in reversed(kept):
        if p.off is None:
            lines[s.first:s.last + 1] = []
        else:
            lines[s.start:s.last + 1] = [" " * s.column + p.off]
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


class TogglesState:
    """The toggles without widgets: which parts are off, and the playground state they drive.

    >>> from npkit.model import Cluster, Pod
    >>> c = Cluster(pods=(Pod("a", "x", {"app": "a"}, ip="10.0.0.1"), Pod("b", "x", ip="10.0.0.2")))
    >>> s = TogglesState(c, "kind: NetworkPolicy\\napiVersion: networking.k8s.io/v1\\n"
    ...     "metadata: {name: p, namespace: x}\\nspec:\\n  podSelector:\\n    matchLabels: {app: a}\\n",
    ...     [Part("spec.podSelector", "only app=a", off="podSelector: {}")])
    >>> s.playground.matrix["x/b", "x/a"], s.playground.matrix["x/a", "x/b"]
    (False, True)
    >>> s.switch("spec.podSelector", False)
    True
    >>> s.playground.matrix["x/a", "x/b"]
    False
    """

    def __init__(self, cluster: Cluster, text: str, parts: Sequence[Part],
                 probes: Sequence[Probe] = DEFAULT_PROBES, dataplane: str = "calico",
                 playground: PlaygroundState | None = None):
        self.original = text
        self.parts = tuple(parts)
        self.by_path = {p.path: p for p in self.parts}
        # A part that names no field fails here, not on the learner's click; the text never changes.
        self.spans = {p.path: span(text, p.path) for p in self.parts}
        self.off: set[str] = set()
        self.playground = playground or PlaygroundState(cluster, text, probes, dataplane)
        self._engine = lru_cache(maxsize=64)(self._build)

    @property
    def text(self) -> str:
        """The policy as the toggles have it now."""
        return self.text_without(*self.off)

    def is_on(self, path: str) -> bool:
        return path not in self.off

    def text_without(self, *paths: str) -> str:
        """The policy with exactly these parts switched off."""
        unknown = [p for p in paths if p not in self.by_path]
        if unknown:
            raise KeyError(_("no part {paths}; parts: {parts}").format(paths=listing(unknown),
                                                                        parts=listing(self.by_path)))
        return _cut(self.original, [(self.spans[p], self.by_path[p]) for p in paths])

    def switch(self, path: str, on: bool) -> bool:
        """Switch one part on or off and re-evaluate; False (with `playground.errors`) if the result
        does not load."""
        if path not in self.by_path:
            raise KeyError(_("no part {path!r}; parts: {parts}").format(path=path, parts=listing(self.by_path)))
        self.off.discard(path) if on else self.off.add(path)
        return self.playground.edit(self.text)

    def _build(self, off: frozenset[str]) -> Engine:
        pg = self.playground
        return evaluate(pg.base, self.text_without(*sorted(off)), pg.filename, pg.dataplane).engine

    def engine(self, *paths: str) -> Engine:
        """The engine for the policy with exactly these parts off (whatever the checkboxes say)."""
        return self._engine(frozenset(paths))

    def effect(self, *paths: str) -> ChangesView:
        """What switching off exactly these parts changes, compared with the whole policy, on every probe."""
        return ChangesView(compare(self.engine(), self.engine(*paths), self.playground.probes))

    def text_report(self) -> str:
        lines = [_("parts (x = on):")]
        lines += [f"  [{'x' if self.is_on(p.path) else ' '}] {p.label}" for p in self.parts]
        return "\n".join(lines + [self.playground.text_report()])


class PolicyToggles(View[TogglesState]):
    """Checkboxes, one per part, above a playground whose editor shows the resulting YAML.

    `PolicyToggles(cluster, policy_yaml, [Part(...), ...], probes=[(80, "TCP")])`; display it as
    the last expression of a cell. `toggles.state` is the TogglesState behind it.
    """

    def __init__(self, cluster: Cluster, text: str, parts: Sequence[Part],
                 probes: Sequence[Probe] = DEFAULT_PROBES, dataplane: str = "calico"):
        self.playground = Playground(cluster, text, probes, dataplane, editor_rows=max(12, text.count("\n") + 1))
        # One state: what the checkboxes change is what the playground draws.
        self.state = TogglesState(cluster, text, parts, probes, dataplane, playground=self.playground.state)
        # The editor shows what the checkboxes produce; typing in it would be overwritten by the next click.
        self.playground.editor.read_only = True
        self.playground.editor_title.value = _("<b>Policies</b> (YAML, set by the checkboxes above)")
        self.boxes = {p.path: w.Checkbox(value=True, description=p.label, indent=False,
                                         layout=w.Layout(width="auto")) for p in self.state.parts}
        for path, box in self.boxes.items():
            box.observe(lambda change, path=path: self._switched(path, change["new"]), names="value")
        head = w.HTML(_("<b>Parts of the policy</b> (untick one to take it out; the matrix stars what changed)"))
        self.widget = w.VBox([head, w.Box(list(self.boxes.values()), layout=w.Layout(flex_flow="row wrap")),
                              self.playground.widget])
        self.widget.add_class("npkit-toggles")

    def _switched(self, path: str, on: bool) -> None:
        self.state.switch(path, on)
        self.playground.editor.value = self.state.text
        self.playground.refresh()
