"""The browser side of npkit's widgets, through anywidget: a code editor, the matrix (with its
diagram) and the guard that replaces a widget whose kernel is gone.

Why anywidget + a bundled CodeMirror 6: it needs no JupyterLab extension build (anywidget's
own front end is a prebuilt extension installed by pip), works offline, on Binder and in
JupyterLab 4, Notebook 7 and VS Code, and the editor is the one JupyterLab itself uses.
The JavaScript sources are in `js/` (`make js` rebuilds); the built modules are committed in
`npkit/widgets/static/` so nothing needs node at install time.

Every npkit widget carries the same small `_esm` (static/loader.js). The 390 KB library
(static/npkit.js) goes to the browser once per kernel, in the `code` of one `Library`
model, and is imported once per page; so a notebook saved with its widgets' state holds a
few KB per widget, not the whole editor each time.

The browser code speaks English (js/src/words.json). In another language each widget carries
the translations of what its browser code says (`_npkit_words`, from `browser_words`), so a
saved notebook shows them too, even without its kernel ("run this cell to continue").
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import anywidget
import ipywidgets as w
import traitlets as t

from ..i18n import ENGLISH, get_language, messages
from ..model import Diagnostic
from .wording import labelled

_ = messages("npkit-ui").gettext
ngettext = messages("npkit-ui").ngettext

Handler = Callable[[dict[str, Any]], None]


@cache
def _static(name: str) -> str:
    return resources.files("npkit.widgets").joinpath("static").joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def bundle() -> tuple[str, str]:
    """The library's code and a digest that names this version of it."""
    code = _static("npkit.js")
    return code, hashlib.sha256(code.encode()).hexdigest()[:16]


class Library(w.Widget):
    """Holds the library code for the browser; never displayed, one per kernel."""

    code = t.Unicode().tag(sync=True)
    digest = t.Unicode().tag(sync=True)


_library: list[Library] = []


def library() -> Library:
    """This kernel's Library model (made again if something closed it)."""
    if not _library or _library[0].comm is None:
        code, digest = bundle()
        _library[:] = [Library(code=code, digest=digest)]
    return _library[0]


def _loader_words() -> dict[str, str]:
    return {
        "saved": _("Run this cell (Shift+Enter) to continue: this is a saved copy, and the widget needs its "
                   "kernel. Your exercise answers, first tries and ticks are kept."),
        "restarted": _("The kernel restarted: run this cell again (Shift+Enter) to continue. Your exercise "
                       "answers, first tries and ticks are kept."),
        "failed": _("npkit widget failed to load: {error}"),
    }


def _editor_words() -> dict[str, str]:
    return {"line": _("line {n}")}


def _matrix_words() -> dict[str, str]:
    # Plurals go to the browser as both forms (English's two are all npkit's languages need).
    return {
        "table": _("reachability matrix"),
        "axes_title": _("rows: source, columns: destination"),
        "axes": _("from \\ to"),
        "namespace": _("namespace {ns}"),
        "namespace_pods_one": ngettext("namespace {ns} ({n} pod)", "namespace {ns} ({n} pods)", 1),
        "namespace_pods_other": ngettext("namespace {ns} ({n} pod)", "namespace {ns} ({n} pods)", 2),
        "fold": _("{what}: click to fold"),
        "unfold": _("{what}: click to unfold"),
        "pods_of": _("{n} pods of {ns}"),
        "pods": _("{n} pods"),
        "to_namespace": _("{src} → namespace {ns}"),
        "mixed": _("{allowed} of {total} allowed"),
        "cell": _("{where}: {what}"),
        "block": _("{where}: {what} (click to unfold)"),
        # Translators: what a matrix cell shows (allowed, denied, and while predicting: predicted, unmarked)
        "tone_allowed": _("allowed"),
        "tone_denied": _("denied"),
        "tone_stale": _("stale"),
        "tone_predicted": _("predicted"),
        "tone_unmarked": _("unmarked"),
        "tone_self": _("self"),
        "tone_mixed": _("mixed"),
        "probe_label": _("probe (port and protocol)"),
        "probe": _("probe"),
        "from": _("from"),
        "to": _("to"),
        "explain_title": _("explain from → to"),
        "explain": _("Explain"),
        "no_pods": _("no pods"),
        "show_denied": _("show denied"),
        "arrows_one": ngettext("{n} allowed arrow", "{n} allowed arrows", 1),
        "arrows_other": ngettext("{n} allowed arrow", "{n} allowed arrows", 2),
        "only": _("only {pod} (click it again for all)"),
        "click_arrow": _("click an arrow to explain it"),
        "diagram": _("diagram: {n} pods, {allowed} allowed connections"),
        "edge_allowed": _("{src} → {dst}: allowed"),
        "edge_denied": _("{src} → {dst}: denied"),
        "edge_tip_allowed": _("{src} → {dst}: allowed. Click to explain."),
        "edge_tip_denied": _("{src} → {dst}: denied. Click to explain."),
        "edge_tip_allowed_changed": _("{src} → {dst}: allowed (changed with your last edit). Click to explain."),
        "edge_tip_denied_changed": _("{src} → {dst}: denied (changed with your last edit). Click to explain."),
        "node": _("{pod}: click to show only its arrows"),
    }


def all_browser_words() -> dict[str, dict[str, str]]:
    """Everything the browser code says, in the current language, by the part that says it (js/src/words.json's
    shape; in English, its very words)."""
    return {"loader": _loader_words(), "editor": _editor_words(), "matrix": _matrix_words()}


def browser_words(kind: str) -> dict[str, str]:
    """What a widget of `kind` ("guard", "editor", "matrix") says in the browser, translated; {} in English
    (the bundle's own words: nothing to send)."""
    if get_language() == ENGLISH:
        return {}
    words = all_browser_words()
    return {**words["loader"], **words.get(kind, {})}


class NpkitWidget(anywidget.AnyWidget):
    """Base of the browser-side widgets: the shared loader, and messages dispatched by their `type`."""

    _esm = t.Unicode(_static("loader.js")).tag(sync=True)
    _kind = t.Unicode("").tag(sync=True)
    _npkit_lib = t.Unicode("").tag(sync=True)
    _npkit_digest = t.Unicode("").tag(sync=True)
    _npkit_id = t.Unicode("").tag(sync=True)
    _npkit_words = t.Dict().tag(sync=True)  # what the browser code says, when not English (browser_words)

    def __init__(self, **kwargs: Any):
        lib = library()
        words = browser_words(self.class_traits()["_kind"].default_value)
        super().__init__(_npkit_lib=lib.model_id, _npkit_digest=lib.digest, _npkit_words=words, **kwargs)
        self._npkit_id = self.model_id  # how the loader finds this model, to know whether its kernel is alive
        self._handlers: dict[str, Handler] = {}
        self.on_msg(self._dispatch)

    def handle(self, kind: str, handler: Handler) -> None:
        """Call `handler(message)` for messages from the browser with this `type`."""
        self._handlers[kind] = handler

    def _dispatch(self, _widget: object, content: Any, _buffers: object) -> None:
        if isinstance(content, dict) and content.get("type") in self._handlers:
            self._handlers[content["type"]](content)

    def receive(self, message: dict[str, Any]) -> None:
        """Act on a message as if the browser had sent it (tests, benchmarks)."""
        self._dispatch(self, message, None)


class Guard(NpkitWidget):
    """Invisible while its kernel lives; afterwards it hides its view and says "run this cell"."""

    _kind = t.Unicode("guard").tag(sync=True)


def frame(content: w.Widget) -> w.VBox:
    """`content` with a Guard in front, as the one widget a cell displays."""
    box = w.VBox([Guard(), content], layout=w.Layout(width="100%"))
    box.add_class("npkit-view")
    return box


def editor_diagnostics(diagnostics: Iterable[Diagnostic], filename: str = "") -> list[dict[str, Any]]:
    """Diagnostics as the editor marks them: line (0 when unknown), severity and the message."""
    out = []
    for d in diagnostics:
        if filename and d.origin.file not in ("", filename):
            continue  # about a file the learner is not editing
        message = d.message.split("\n", 1)[0]
        out.append({"line": d.origin.line or 0, "severity": d.severity,
                    "message": labelled(d.path, message) if d.path else message})
    return out


class CodeEditor(NpkitWidget):
    """CodeMirror 6: line numbers, highlighting, no wrapping, undo, diagnostics in the gutter.

    `value` is the text (the browser sends it once typing pauses for `debounce_ms`); set
    `diagnostics` with `show(diagnostics)`. `language` is "yaml" or "calico-selector".

    >>> CodeEditor(value="a: 1\\n").value
    'a: 1\\n'
    """

    _kind = t.Unicode("editor").tag(sync=True)
    value = t.Unicode("").tag(sync=True)
    diagnostics = t.List(t.Dict()).tag(sync=True)
    language = t.Unicode("yaml").tag(sync=True)
    rows = t.Int(12).tag(sync=True)
    read_only = t.Bool(False).tag(sync=True)
    placeholder = t.Unicode("").tag(sync=True)
    label = t.Unicode().tag(sync=True)  # for screen readers; "YAML editor" unless told
    debounce_ms = t.Int(250).tag(sync=True)

    @t.default("label")
    def _label(self) -> str:
        return _("YAML editor")

    def show(self, diagnostics: Iterable[Diagnostic], filename: str = "") -> None:
        """Mark these diagnostics (only those about `filename`, when given) in the gutter."""
        marks = editor_diagnostics(diagnostics, filename)
        if marks != self.diagnostics:
            self.diagnostics = marks


class MatrixWidget(NpkitWidget):
    """The matrix table (sticky labels, folding namespaces), its Explain bar and the diagram.

    `cells[i][j]` is `[text, tone, tooltip, flags]`: tone is one of allowed, denied, stale,
    predicted, unmarked, self; flags hold `*` (changed), `!` (wrong), `@` (selected), `x` (not
    clickable). Messages from the browser: `cell` (src, dst), `explain` (src, dst), `probe` (index).
    """

    _kind = t.Unicode("matrix").tag(sync=True)
    pods = t.List(t.Unicode()).tag(sync=True)
    cells = t.List(t.List()).tag(sync=True)
    corner = t.Unicode("").tag(sync=True)
    caption = t.Unicode("").tag(sync=True)
    status = t.Unicode("").tag(sync=True)
    stale = t.Bool(False).tag(sync=True)
    probes = t.List(t.Unicode()).tag(sync=True)
    probe = t.Int(0).tag(sync=True)
    ends = t.List(t.Unicode()).tag(sync=True)
    src = t.Unicode("").tag(sync=True)
    dst = t.Unicode("").tag(sync=True)
    selected = t.List(t.Unicode()).tag(sync=True)
    explain = t.Bool(False).tag(sync=True)
    foldable = t.Bool(False).tag(sync=True)
    folded = t.List(t.Unicode()).tag(sync=True)
    diagram = t.Dict(allow_none=True, default_value=None).tag(sync=True)

    def update(self, **values: Any) -> None:
        """Set several traits in one message, sending only those that changed."""
        changed = {k: v for k, v in values.items() if getattr(self, k) != v}
        if changed:
            with self.hold_sync():
                for k, v in changed.items():
                    setattr(self, k, v)
