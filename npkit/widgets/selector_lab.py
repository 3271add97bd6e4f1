"""Selector lab: write a label selector, see which namespaces and pods it selects, and why.

Three kinds of input, each judged by the same matchers the engine uses for policies:

- a Kubernetes LabelSelector (`matchLabels` / `matchExpressions`, or `{}`), read as a
  policy's `spec.podSelector` in the chosen namespace;
- a Kubernetes peer (`podSelector` and/or `namespaceSelector`), read as one `from` / `to`
  entry of a policy in the chosen namespace: the AND/OR lessons;
- a Calico selector expression, read as the `selector` of a Calico NetworkPolicy in the
  chosen namespace, or of a GlobalNetworkPolicy when the namespace is "(global)".
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Literal

import ipywidgets as w

from ..engine.compile.calico import policy_selector
from ..engine.compile.k8s import peer_set
from ..engine.matchers.endpoints import CalicoSelection, EndpointSet, NamespaceMatcher, Pods
from ..engine.universe import Universe
from ..loading.fields import Field, Report
from ..loading.labels import read_label_selector
from ..loading.yamlio import Mapping, read_documents
from ..model import CalicoPolicy, Cluster, Diagnostic, LabelSelector, Origin, Peer
from ..selectors import SelectorSyntaxError
from .css import style
from .debounce import Debouncer
from .diagnostics import diagnostics_html, diagnostics_text
from .overview import label_text
from .view import View

Mode = Literal["kubernetes", "calico"]
GLOBAL = "(global)"
SOURCE = "selector"
PEER_FIELDS = frozenset({"podSelector", "namespaceSelector"})
SELECTOR_FIELDS = frozenset({"matchLabels", "matchExpressions"})


@dataclass(frozen=True)
class PodMatch:
    pod: str
    labels: dict[str, str]
    selected: bool
    why: str


@dataclass(frozen=True)
class NamespaceMatch:
    name: str
    labels: dict[str, str]
    selected: bool  # its pods are candidates (the namespace part of the selector holds)
    why: str
    pods: tuple[PodMatch, ...]


@dataclass(frozen=True)
class Selection:
    """What a selector selects: every namespace with its pods, and a description."""

    description: str
    namespaces: tuple[NamespaceMatch, ...]

    @property
    def pods(self) -> tuple[str, ...]:
        """Keys of the selected pods."""
        return tuple(p.pod for ns in self.namespaces for p in ns.pods if p.selected)

    def why(self, pod: str) -> str:
        """The reason `pod` is or is not selected."""
        for ns in self.namespaces:
            for p in ns.pods:
                if p.pod == pod:
                    return p.why
        raise KeyError(f"no pod {pod!r}")


class SelectorLabState:
    """The selector lab without widgets.

    >>> from npkit.model import Namespace, Pod
    >>> c = Cluster(namespaces={"x": Namespace("x", {"name": "x"})},
    ...             pods=(Pod("a", "x", {"app": "a"}, ip="10.0.0.1"), Pod("b", "x", {"app": "b"}, ip="10.0.0.2")))
    >>> s = SelectorLabState(c, "matchLabels: {app: a}", namespace="x")
    >>> s.selection.pods
    ('x/a',)
    >>> s.set_text("app == 'b'", mode="calico").pods
    ('x/b',)
    """

    def __init__(self, cluster: Cluster, text: str = "{}", mode: Mode = "kubernetes", namespace: str = "default"):
        self.cluster = cluster
        self.universe = Universe(cluster)
        self.mode: Mode = mode
        self.namespace = namespace
        self.text = text
        self.errors: tuple[Diagnostic, ...] = ()
        self.selection: Selection = self._select_nothing()
        self.set_text(text)

    @property
    def namespaces(self) -> tuple[str, ...]:
        return tuple(sorted(self.universe.ns_names))

    @property
    def stale(self) -> bool:
        return bool(self.errors)

    def set_text(self, text: str, mode: Mode | None = None, namespace: str | None = None) -> Selection:
        """Evaluate a new selector; on errors, `errors` says why and the last selection stays."""
        self.text = text
        self.mode = mode or self.mode
        self.namespace = namespace or self.namespace
        try:
            endpoints = self._parse()
        except _Problems as p:
            self.errors = p.diagnostics
            return self.selection
        self.errors = ()
        self.selection = self._select(endpoints)
        return self.selection

    # -- parsing -----------------------------------------------------------------------------
    def _parse(self) -> EndpointSet:
        if self.mode == "calico":
            return self._parse_calico()
        if self.namespace == GLOBAL:
            raise _Problems([Diagnostic("error", "a Kubernetes selector belongs to a namespaced policy; "
                                                 "choose a namespace", Origin(SOURCE))])
        return self._parse_kubernetes()

    def _parse_calico(self) -> EndpointSet:
        ns = None if self.namespace == GLOBAL else self.namespace
        policy = CalicoPolicy("selector-lab", ns, selector=self.text)
        try:
            selector, shown = policy_selector(policy)
        except SelectorSyntaxError as e:  # str(e) draws the caret under the column
            raise _Problems([Diagnostic("error", str(e), Origin(SOURCE, 1), column=e.column)]) from None
        return CalicoSelection(selector, shown, network_sets=False)

    def _parse_kubernetes(self) -> EndpointSet:
        documents, problems = read_documents(self.text, SOURCE)
        if problems:
            raise _Problems(problems)
        root = documents[0].root if documents else None
        if root is None or not isinstance(root, Mapping):
            what = "nothing" if root is None else "not a mapping"
            raise _Problems([Diagnostic("error", f"write a selector (e.g. matchLabels: {{app: web}}), not {what}",
                                        Origin(SOURCE, 1))])
        report = Report(SOURCE)
        keys = set(root.entries)
        if keys & PEER_FIELDS:
            fields = Field(root, "", report).as_map(PEER_FIELDS)
            pods = read_label_selector(fields.get("podSelector")) if fields else None
            namespaces = read_label_selector(fields.get("namespaceSelector")) if fields else None
            peer = Peer(pod_selector=pods, namespace_selector=namespaces)
        else:
            selector = read_label_selector(Field(root, "", report)) or LabelSelector()
            peer = Peer(pod_selector=selector)
        if report.error_count:
            raise _Problems(report.diagnostics)
        return peer_set(peer, self.namespace)

    # -- selecting ---------------------------------------------------------------------------
    def _select_nothing(self) -> Selection:
        return Selection("nothing yet", ())

    def _select(self, endpoints: EndpointSet) -> Selection:
        u = self.universe
        ns_matcher: NamespaceMatcher | None = endpoints.namespaces if isinstance(endpoints, Pods) else None
        out = []
        for ns in sorted(u.ns_names):  # the order matrices use
            members = [i for i, p in enumerate(u.pods) if p.namespace == ns]
            pods = []
            for i in members:
                ok, why = endpoints.check(u.pod_endpoint(i), u)
                pods.append(PodMatch(u.keys[i], dict(u.pods[i].labels), ok, why))
            if ns_matcher is not None:
                in_scope, why = ns_matcher.check(ns, u)
            elif self.mode == "calico" and self.namespace != GLOBAL:
                in_scope = ns == self.namespace
                why = ("the policy's own namespace" if in_scope else
                       f"a Calico NetworkPolicy only selects pods in its own namespace ({self.namespace})")
            else:
                in_scope = any(p.selected for p in pods)
                why = "some of its pods match" if in_scope else "none of its pods match"
            out.append(NamespaceMatch(ns, dict(u.namespaces[ns].labels), in_scope, why, tuple(pods)))
        return Selection(endpoints.describe(), tuple(out))

    # -- text ----------------------------------------------------------------------------
    def text_report(self) -> str:
        """What is selected, namespace by namespace (✓ selected, · not), as stable text."""
        sel = self.selection
        lines = []
        if self.errors:
            lines += ["errors (showing the last valid selector):", diagnostics_text(self.errors, self.text)]
        n = len(sel.pods)
        lines.append(f"{sel.description}: {n} pod{'s' if n != 1 else ''} selected")
        for ns in sel.namespaces:
            mark = "✓" if ns.selected else "·"
            pods = "  ".join(f"{'✓' if p.selected else '·'} {p.pod.split('/', 1)[1]}" for p in ns.pods)
            lines.append(f"  {mark} {ns.name}: {pods or '(no pods)'}")
        return "\n".join(lines)


class _Problems(Exception):
    def __init__(self, diagnostics):
        super().__init__()
        self.diagnostics = tuple(diagnostics)


def selection_html(selection: Selection, focus: str | None = None) -> str:
    """Namespaces as cards, pods as chips: green when selected, grey when not."""
    cards = []
    for ns in selection.namespaces:
        border = "#2da44e" if ns.selected else "#d0d7de"
        chips = []
        for p in ns.pods:
            bg, fg = ("#dafbe1", "#116329") if p.selected else ("#f6f8fa", "#57606a")
            ring = "box-shadow:0 0 0 2px #0969da;" if p.pod == focus else ""
            labels = escape(label_text(p.labels, empty=""))
            chips.append(
                f'<div title="{escape(p.why)}" style="background:{bg};color:{fg};{ring}border-radius:6px;'
                f'padding:2px 6px;margin:2px;font-size:12px"><b>{"✓" if p.selected else "·"} '
                f'{escape(p.pod.split("/", 1)[1])}</b><br><span style="font-size:11px">{labels}'
                f"</span></div>")
        ns_labels = escape(label_text(ns.labels, empty="")) or "&nbsp;"
        cards.append(
            f'<div title="{escape(ns.why)}" style="border:2px solid {border};border-radius:8px;padding:4px;margin:3px;'
            f'min-width:120px"><div style="font-weight:600">{escape(ns.name)}</div>'
            f'<div style="font-size:11px;color:#57606a">{ns_labels}</div>'
            f'<div style="display:flex;flex-wrap:wrap">{"".join(chips)}</div></div>')
    n = len(selection.pods)
    head = f"<div><b>{escape(selection.description)}</b>: {n} pod{'s' if n != 1 else ''} selected</div>"
    return head + f'<div style="display:flex;flex-wrap:wrap;align-items:flex-start">{"".join(cards)}</div>'


class SelectorLab(View):
    """The selector lab widget: selector editor, mode and namespace, the namespace / pod grid.

    `SelectorLab(cluster, "matchLabels:\\n  app: web\\n")`; `mode="calico"` for a Calico expression.
    Hover a pod (or pick it under "why") for the reason it is or is not selected.
    """

    def __init__(self, cluster: Cluster, text: str = "{}", mode: Mode = "kubernetes",
                 namespace: str = "default", debounce: float = 0.25):
        self.state = SelectorLabState(cluster, text, mode, namespace)
        self.editor = w.Textarea(value=text, rows=6, continuous_update=True,
                                 layout=w.Layout(width="420px"))
        self.editor.add_class("npkit-selector-editor")
        self.mode = w.ToggleButtons(options=[("Kubernetes", "kubernetes"), ("Calico", "calico")], value=mode,
                                    style={"button_width": "95px"})
        self.namespace = w.Dropdown(options=self._namespace_options(), value=namespace,
                                    description="policy in", layout=w.Layout(width="260px"))
        self.problems = w.HTML()
        self.grid = w.HTML()
        self.grid.add_class("npkit-selection")
        # Every pod of the cluster, not the first selection's: a selector that starts out broken has none.
        self.pod = w.Dropdown(options=("",) + self.state.universe.keys, description="why",
                              layout=w.Layout(width="260px"))
        self.reason = w.HTML()
        debounced = Debouncer(debounce, self._apply)
        self.editor.observe(lambda c: debounced(), names="value")
        self.mode.observe(lambda c: self._apply(), names="value")
        self.namespace.observe(lambda c: self._apply(), names="value")
        self.pod.observe(lambda c: self.refresh(), names="value")
        controls = w.VBox([self.mode, self.namespace, self.editor, self.problems])
        self.widget = w.VBox([style(), controls, self.grid, w.HBox([self.pod, self.reason])])
        self.widget.add_class("npkit-selector-lab")
        self.refresh()

    def _namespace_options(self) -> tuple[str, ...]:
        return self.state.namespaces + (GLOBAL,)

    def _apply(self) -> None:
        try:
            self.state.set_text(self.editor.value, self.mode.value, self.namespace.value)
        except Exception as e:  # noqa: BLE001 - a widget shows problems, never a traceback
            self.state.errors = (Diagnostic("error", f"internal error: {type(e).__name__}: {e}"),)
        self.refresh()

    def refresh(self) -> None:
        s = self.state
        self.problems.value = diagnostics_html(s.errors, s.text)
        self.grid.value = selection_html(s.selection, self.pod.value or None)
        if self.pod.value:
            try:
                self.reason.value = escape(s.selection.why(self.pod.value))
            except KeyError:
                self.reason.value = ""
        else:
            self.reason.value = ""
