"""Input errors shown inside a widget: line, field path and message, with a caret for columns.

The editor's text is at hand, so a Calico selector error (whose column counts inside the
field's value) can be drawn under the line the learner typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html import escape

from ..i18n import messages
from ..model import Diagnostic
from .wording import labelled, severity

_ = messages("npkit-ui").gettext

_LAST_KEY = re.compile(r"([A-Za-z0-9_.\-/]+)(?:\[\d+\])*$")


def _value_start(line: str, path: str) -> int | None:
    """0-based position where the value of the field `path` starts on `line`, if it is there.

    >>> _value_start("    selector: app = 'web'", "spec.selector")
    14
    >>> _value_start('  - selector: "a ==="', "spec.ingress[0].source.selector")
    15
    """
    match = _LAST_KEY.search(path.rsplit(".", 1)[-1]) if path else None
    if not match:
        return None
    key = match.group(1)
    at = line.find(key + ":")
    if at < 0:
        return None
    pos = at + len(key) + 1
    while pos < len(line) and line[pos] == " ":
        pos += 1
    if pos < len(line) and line[pos] in "'\"":
        pos += 1
    return pos


def caret_lines(d: Diagnostic, text: str) -> list[str]:
    """The source line of `d` with a caret under its column, or [] when that cannot be placed.

    >>> from npkit.model import Origin
    >>> d = Diagnostic("error", "use ==", Origin("p.yaml", 1), path="spec.selector", column=5)
    >>> print("\\n".join(caret_lines(d, "  selector: app = 'web'")))
      selector: app = 'web'
                    ^
    """
    lines = text.split("\n")
    if d.column is None or not 1 <= d.origin.line <= len(lines):
        return []
    line = lines[d.origin.line - 1].replace("\t", " ")
    start = _value_start(line, d.path)
    if start is None:
        return []
    return [line, " " * (start + d.column - 1) + "^"]


def diagnostic_text(d: Diagnostic, text: str = "") -> str:
    """One diagnostic for an editor: `line N: error: field.path: message`, plus a caret line.

    >>> from npkit.model import Origin
    >>> print(diagnostic_text(Diagnostic("error", "must be a list", Origin("p.yaml", 3), path="spec.ingress")))
    line 3: error: spec.ingress: must be a list
    """
    where = [_("line {n}").format(n=d.origin.line)] if d.origin.line else []
    obj = [str(d.obj)] if d.obj is not None and d.obj.name != "(no name)" else []
    path = [d.path] if d.path else []
    caret = caret_lines(d, text)
    # The loader may draw its own caret under the bare value; the editor's line reads better.
    message = d.message.split("\n", 1)[0] if caret else d.message
    head = labelled(*where, severity(d.severity), *obj, *path, message)
    return "\n".join([head] + ["    " + c for c in caret])


def _ranked(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Errors first, then warnings, then the rest; by line within each."""
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(diagnostics, key=lambda d: (order.get(d.severity, 3), d.origin.line))


def diagnostics_text(diagnostics: Iterable[Diagnostic], text: str = "") -> str:
    """Every diagnostic, one block each, errors first."""
    return "\n".join(diagnostic_text(d, text) for d in _ranked(diagnostics))


def diagnostics_html(diagnostics: Sequence[Diagnostic], text: str = "") -> str:
    """The same blocks as HTML, errors in red and warnings in amber."""
    if not diagnostics:
        return ""
    colors = {"error": "var(--jp-error-color1, #cf222e)", "warning": "var(--jp-warn-color0, #9a6700)",
              "info": "var(--jp-ui-font-color2, #57606a)"}
    items = []
    for d in _ranked(diagnostics):
        block = escape(diagnostic_text(d, text))
        items.append(f'<pre style="margin:2px 0;white-space:pre-wrap;color:{colors.get(d.severity, "inherit")}">'
                     f"{block}</pre>")
    return "".join(items)
