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

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from typing import Literal

import ipywidgets as w

from ..engine.compile.calico import policy_selector
from ..engine.compile.k8s import peer_set
from ..engine.matchers.endpoints import CalicoSelection, EndpointSet, NamespaceMatcher, Pods
from ..engine.universe import Universe
from ..i18n import N_, messages
from ..loading.fields import Field, Report
from ..loading.labels import read_label_selector
from ..loading.yamlio import Mapping, read_documents
from ..loading.yamlio import Sequence as YamlList
from ..model import CalicoPolicy, Cluster, Diagnostic, LabelSelector, Origin, Peer
from ..selectors import SelectorSyntaxError
from .css import style
from .diagnostics import diagnostics_html, diagnostics_text
from .frontend import CodeEditor
from .overview import label_text
from .view import View
from .wording import labelled

_ = messages("npkit-ui").gettext
ngettext = messages("npkit-ui").ngettext
Mode = Literal["kubernetes", "calico"]
GLOBAL = N_("(global)")  # the namespace choice for a GlobalNetworkPolicy (shown translated)
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
        raise KeyError(_("no pod {pod!r}").format(pod=pod))


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
            raise _Problems([Diagnostic("error", _("a Kubernetes selector belongs to a namespaced policy; "
                                                   "choose a namespace"), Origin(SOURCE))])
        return self._parse_kubernetes()

    def _parse_calico(self) -> EndpointSet:
        ns = None if self.namespace == GLOBAL else self.namespace
        policy = CalicoPolicy("selector-lab", ns, selector=self.text)
        try:
            selector, shown = policy_selector(policy)
        except SelectorSyntaxError as e:  # str(e) draws the caret under the column
            problems = [Diagnostic("error", str(e), Origin(SOURCE, 1), column=e.column)]
            if any(word in self.text for word in ("matchLabels", "matchExpressions", "podSelector")):
                problems.append(Diagnostic("info", _("this is a Kubernetes selector: switch the mode to Kubernetes, "
                                                     "or write a Calico expression such as app == 'web'"),
                                           Origin(SOURCE)))
            raise _Problems(problems) from None
        return CalicoSelection(selector, shown, network_sets=False)

    def _parse_kubernetes(self) -> EndpointSet:
        documents, problems = read_documents(self.text, SOURCE)
        if problems:
            raise _Problems(problems)
        root = documents[0].root if documents else None
        if root is None or not isinstance(root, Mapping):
            raise _Problems([Diagnostic("error", _not_a_selector(root, self.text), Origin(SOURCE, 1))])
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
        return Selection(_("nothing yet"), ())

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
                why = (_("the policy's own namespace") if in_scope else
                       _("a Calico NetworkPolicy only selects pods in its own namespace ({namespace})").format(
                           namespace=self.namespace))
            else:
                in_scope = any(p.selected for p in pods)
                why = _("some of its pods match") if in_scope else _("none of its pods match")
            out.append(NamespaceMatch(ns, dict(u.namespaces[ns].labels), in_scope, why, tuple(pods)))
        return Selection(endpoints.describe(), tuple(out))

    # -- text ----------------------------------------------------------------------------
    def text_report(self) -> str:
        """What is selected, namespace by namespace (✓ selected, · not), as stable text."""
        sel = self.selection
        lines = []
        n = len(sel.pods)
        if self.errors:
            lines += [_("the selector has errors, so it selects nothing until they are fixed:"),
                      diagnostics_text(self.errors, self.text)]
            if not sel.namespaces:
                return "\n".join(lines)
            lines.append(ngettext("for comparison, the last valid selector ({selector}) selected {n} pod:",
                                  "for comparison, the last valid selector ({selector}) selected {n} pods:",
                                  n).format(selector=sel.description, n=n))
        else:
            lines.append(ngettext("{selector}: {n} pod selected", "{selector}: {n} pods selected", n).format(
                selector=sel.description, n=n))
        for ns in sel.namespaces:
            mark = "✓" if ns.selected else "·"
            pods = "  ".join(f"{'✓' if p.selected else '·'} {p.pod.split('/', 1)[1]}" for p in ns.pods)
            lines.append(f"  {mark} " + labelled(ns.name, pods or _("(no pods)")))
        return "\n".join(lines)


_CALICO_HINTS = ("==", "!=", "has(", "all()", " in {", "global()", "&&", "||")


def _not_a_selector(root: object, text: str) -> str:
    """Why a Kubernetes selector cannot be read, in the learner's terms."""
    # Translators: `{app: web}` and `{}` here are YAML (not placeholders): keep them as they are
    if root is None:
        return _("write a selector, e.g. matchLabels: {app: web} (or {} for every pod)")
    if any(hint in text for hint in _CALICO_HINTS):
        return _("this is a Calico selector expression: switch the mode to Calico, or write a Kubernetes "
                 "selector such as matchLabels: {app: web}")
    if isinstance(root, YamlList):
        return _("a Kubernetes selector is a mapping such as matchLabels: {app: web}; this is a list")
    return _("a Kubernetes selector is a mapping such as matchLabels: {app: web}; this is a single value")


class _Problems(Exception):
    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        super().__init__()
        self.diagnostics = tuple(diagnostics)


def selection_html(selection: Selection, focus: str | None = None, stale: bool = False) -> str:
    """Namespaces as cards, pods as chips: tinted when selected, plain when not. `stale`: the selection
    of the last valid selector, greyed and labelled so, while the editor holds an error."""
    cards = []
    for ns in selection.namespaces:
        chips = []
        for p in ns.pods:
            ring = "box-shadow:0 0 0 2px var(--jp-brand-color1,#1976d2);" if p.pod == focus else ""
            labels = escape(label_text(p.labels, empty=""))
            cls = "npk-chip npk-chip-on" if p.selected else "npk-chip"
            chips.append(
                f'<div class="{cls}" title="{escape(p.why)}" style="{ring}"><b>{"✓" if p.selected else "·"} '
                f'{escape(p.pod.split("/", 1)[1])}</b><br><span style="font-size:11px">{labels}</span></div>')
        ns_labels = escape(label_text(ns.labels, empty="")) or "&nbsp;"
        cards.append(
            f'<div class="npk-card{" npk-card-on" if ns.selected else ""}" title="{escape(ns.why)}">'
            f'<div style="font-weight:600">{escape(ns.name)}</div><div class="npk-muted">{ns_labels}</div>'
            f'<div style="display:flex;flex-wrap:wrap">{"".join(chips)}</div></div>')
    n = len(selection.pods)
    body = f'<div style="display:flex;flex-wrap:wrap;align-items:flex-start">{"".join(cards)}</div>'
    if stale:
        broken = _("The selector has an error, so it selects nothing until it is fixed.")
        if not selection.namespaces:
            return f'<div class="npk-stale-head">{escape(broken)}</div>'
        compared = ngettext("{broken} For comparison, the last valid selector ({selector}) selected {n} pod:",
                            "{broken} For comparison, the last valid selector ({selector}) selected {n} pods:",
                            n).format(broken=escape(broken), selector=escape(selection.description), n=n)
        return f'<div class="npk-stale-head">{compared}</div><div class="npk-stale-body">{body}</div>'
    head = ngettext("{selector}: {n} pod selected", "{selector}: {n} pods selected", n).format(
        selector=f"<b>{escape(selection.description)}</b>", n=n)
    return f"<div>{head}</div>" + body


SELECTION_CSS = """<style>
.npkit-selection .npk-card { border: 2px solid var(--jp-border-color2, #d0d7de); border-radius: 8px; padding: 4px;
  margin: 3px; min-width: 120px; }
.npkit-selection .npk-card-on { border-color: var(--jp-success-color1, #388e3c); }
.npkit-selection .npk-chip { background: var(--jp-layout-color2, #eee); color: var(--jp-ui-font-color1, #222);
  border-radius: 6px; padding: 2px 6px; margin: 2px; font-size: 12px; }
.npkit-selection .npk-chip-on { background: color-mix(in srgb, var(--jp-success-color1, #388e3c) 24%,
  var(--jp-layout-color1, white)); color: var(--jp-ui-font-color0, black); }
.npkit-selection .npk-muted { font-size: 11px; color: var(--jp-ui-font-color2, #57606a); }
.npkit-selection .npk-stale-head { color: var(--jp-error-color1, #d32f2f); font-weight: 600; }
.npkit-selection .npk-stale-body { opacity: 0.45; border: 1px dashed var(--jp-border-color1, #bdbdbd);
  margin-top: 4px; }
</style>"""


class SelectorLab(View[SelectorLabState]):
    """The selector lab widget: selector editor, mode and namespace, the namespace / pod grid.

    `SelectorLab(cluster, "matchLabels:\\n  app: web\\n")`; `mode="calico"` for a Calico expression.
    Hover a pod (or pick it under "why") for the reason it is or is not selected.
    """

    def __init__(self, cluster: Cluster, text: str = "{}", mode: Mode = "kubernetes",
                 namespace: str = "default", debounce: float = 0.25):
        self.state = SelectorLabState(cluster, text, mode, namespace)
        self.editor = CodeEditor(value=text, rows=5, debounce_ms=int(debounce * 1000), label=_("selector"),
                                 language=_language(mode), layout=w.Layout(width="100%", max_width="560px"))
        self.editor.add_class("npkit-selector-editor")
        self.mode = w.ToggleButtons(options=[("Kubernetes", "kubernetes"), ("Calico", "calico")], value=mode,
                                    style={"button_width": "95px"})
        self.namespace = w.Dropdown(options=self._namespace_options(), value=namespace,
                                    description=_("policy in"), style={"description_width": "initial"},
                                    layout=w.Layout(width="260px"))
        self.problems = w.HTML()
        self.grid = w.HTML()
        self.grid.add_class("npkit-selection")
        # Every pod of the cluster, not the first selection's: a selector that starts out broken has none.
        self.pod = w.Dropdown(options=("",) + self.state.universe.keys, description=_("why"),
                              layout=w.Layout(width="260px"))
        self.reason = w.HTML()
        self.editor.observe(lambda c: self._apply(), names="value")
        self.mode.observe(lambda c: self._apply(), names="value")
        self.namespace.observe(lambda c: self._apply(), names="value")
        self.pod.observe(lambda c: self.refresh(), names="value")
        controls = w.VBox([w.Box([self.mode, self.namespace], layout=w.Layout(flex_flow="row wrap")),
                           self.editor, self.problems])
        self.widget = w.VBox([style(), w.HTML(SELECTION_CSS, layout=w.Layout(display="none")), controls, self.grid,
                              w.Box([self.pod, self.reason], layout=w.Layout(flex_flow="row wrap"))])
        self.widget.add_class("npkit-selector-lab")
        self.refresh()

    def _namespace_options(self) -> list[tuple[str, str]]:
        """(label, value): the namespaces, and "(global)" for a GlobalNetworkPolicy (its label translated)."""
        return [(ns, ns) for ns in self.state.namespaces] + [(_(GLOBAL), GLOBAL)]

    def _apply(self) -> None:
        self.editor.language = _language(self.mode.value)
        try:
            self.state.set_text(self.editor.value, self.mode.value, self.namespace.value)
        except Exception as e:  # noqa: BLE001 - a widget shows problems, never a traceback
            problem = _("internal error: {error}").format(error=f"{type(e).__name__}: {e}")
            self.state.errors = (Diagnostic("error", problem),)
        self.refresh()

    def refresh(self) -> None:
        s = self.state
        self.problems.value = diagnostics_html(s.errors, s.text)
        self.editor.show(s.errors)
        self.grid.value = selection_html(s.selection, self.pod.value or None, stale=s.stale)
        if self.pod.value and not s.stale:
            try:
                self.reason.value = escape(s.selection.why(self.pod.value))
            except KeyError:
                self.reason.value = ""
        else:
            self.reason.value = ""


def _language(mode: str) -> str:
    return "calico-selector" if mode == "calico" else "yaml"
