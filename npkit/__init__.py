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

from .diff import compare
from .engine import Engine, Verdict
from .explain import render_verdict, verdict_to_json
from .lint import lint
from .loading import load, load_string
from .matrix import Matrix, reachability, render_table
from .model import Cluster, InputError

__version__ = "0.1.0"

__all__ = [
    "Cluster", "Engine", "InputError", "Matrix", "Verdict", "compare", "lint", "load", "load_string",
    "reachability", "render_table", "render_verdict", "verdict_to_json",
]
