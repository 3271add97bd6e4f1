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

from ..model import Diagnostic

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


class NpkitWidget(anywidget.AnyWidget):
    """Base of the browser-side widgets: the shared loader, and messages dispatched by their `type`."""

    _esm = t.Unicode(_static("loader.js")).tag(sync=True)
    _kind = t.Unicode("").tag(sync=True)
    _npkit_lib = t.Unicode("").tag(sync=True)
    _npkit_digest = t.Unicode("").tag(sync=True)
    _npkit_id = t.Unicode("").tag(sync=True)

    def __init__(self, **kwargs: Any):
        lib = library()
        super().__init__(_npkit_lib=lib.model_id, _npkit_digest=lib.digest, **kwargs)
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
        where = f"{d.path}: " if d.path else ""
        out.append({"line": d.origin.line or 0, "severity": d.severity,
                    "message": where + d.message.split("\n", 1)[0]})
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
    label = t.Unicode("YAML editor").tag(sync=True)
    debounce_ms = t.Int(250).tag(sync=True)

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
