"""The few CSS rules ipywidgets' own style traits cannot express, injected once per view."""

from __future__ import annotations

import ipywidgets as w

CSS = """<style>
.npkit-editor textarea, .npkit-selector-editor textarea, .npkit-exercise-editor textarea {
  font-family: var(--jp-code-font-family, monospace); font-size: 12px; line-height: 1.35; }
.npkit-grid button { font-size: 11px; }
</style>"""


def style() -> w.HTML:
    """An invisible HTML widget carrying the course's CSS; put it first in a view's children."""
    return w.HTML(CSS, layout=w.Layout(display="none"))
