"""Semantic differences between two sets of policies.

`compare(old_engine, new_engine, probes)` is the one comparison (exercises grade with it,
`npkit diff` prints it); `before_and_after` builds the two worlds from two inputs,
`probe_ports` picks probes that tell every port entry apart, and render.py prints a
comparison as text, JSON or HTML.
"""

from .compare import Change, Comparison, compare
from .probes import probe_ports, probe_traffic, representative_ports, unused_port
from .render import comparison_html, comparison_to_json, render_comparison
from .worlds import before_and_after

__all__ = [
    "Change", "Comparison", "compare", "probe_ports", "probe_traffic", "representative_ports", "unused_port",
    "comparison_html", "comparison_to_json", "render_comparison", "before_and_after",
]
