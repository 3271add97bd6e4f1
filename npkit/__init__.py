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
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # not typing's: importing typing here would slow every start of `npkit` (mypy knows the name)
__version__ = "0.1.0"

# name → module: imported on first use, so `import npkit.cli.main` starts in milliseconds (a Ctrl-C at
# start-up then lands where the CLI catches it) and `import npkit.lab` does not load the whole engine.
_EXPORTS = {
    "Cluster": ".model", "InputError": ".model", "Engine": ".engine", "Verdict": ".engine", "Matrix": ".matrix",
    "reachability": ".matrix", "render_table": ".matrix", "compare": ".diff", "lint": ".lint", "load": ".loading",
    "load_string": ".loading", "render_verdict": ".explain", "verdict_to_json": ".explain",
    "set_language": ".i18n", "get_language": ".i18n",
}

__all__ = [
    "Cluster", "Engine", "InputError", "Matrix", "Verdict", "compare", "get_language", "lint", "load", "load_string",
    "reachability", "render_table", "render_verdict", "set_language", "verdict_to_json",
]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'npkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function (for `lint`, it replaces the subpackage)
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:
    from .diff import compare
    from .engine import Engine, Verdict
    from .explain import render_verdict, verdict_to_json
    from .i18n import get_language, set_language
    from .lint import lint
    from .loading import load, load_string
    from .matrix import Matrix, reachability, render_table
    from .model import Cluster, InputError
