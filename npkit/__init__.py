"""npkit: learn Kubernetes NetworkPolicy and Calico policy with an evaluator that explains itself.

>>> import npkit
>>> cluster = npkit.load_string('''
... apiVersion: v1
... kind: Pod
... metadata: {name: web, namespace: demo, labels: {app: web}}
... spec: {containers: [{name: web, image: nginx}]}
... status: {podIP: 10.244.0.5}
... ''')
>>> npkit.Engine(cluster).verdict("198.51.100.7", "demo/web", 80).allowed
True

The names below are imported when first used, so that `import npkit.cli.main` (and with it
`npkit --help`) does not pay for numpy, the engine, lint and diff before it needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS = {
    "Cluster": "npkit.model", "InputError": "npkit.model",
    "Engine": "npkit.engine", "Verdict": "npkit.engine",
    "load": "npkit.loading", "load_string": "npkit.loading",
    "Matrix": "npkit.matrix", "reachability": "npkit.matrix", "render_table": "npkit.matrix",
    "render_verdict": "npkit.explain", "verdict_to_json": "npkit.explain",
    "compare": "npkit.diff", "lint": "npkit.lint",
}

__all__ = [  # the keys of _EXPORTS, written out for linters
    "Cluster", "Engine", "InputError", "Matrix", "Verdict", "compare", "lint", "load", "load_string",
    "reachability", "render_table", "render_verdict", "verdict_to_json",
]

if TYPE_CHECKING:  # the same names, for type checkers and editors
    from .diff import compare
    from .engine import Engine, Verdict
    from .explain import render_verdict, verdict_to_json
    from .lint import lint
    from .loading import load, load_string
    from .matrix import Matrix, reachability, render_table
    from .model import Cluster, InputError


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'npkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    # Later lookups skip this function. For `lint` this also replaces the subpackage that importing
    # it just bound to the same name, as the eager `from .lint import lint` used to.
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
