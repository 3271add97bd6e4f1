"""Widget latency: from the end of typing (after the browser's debounce) to the redrawn matrix and
diagram, at course scale. Drives the widget classes the way the browser does (the editor's `value`
arrives, the playground re-evaluates and repaints), and adds the JSON encoding of what the kernel
sends back; the browser's own drawing is spot-checked in tests/browser.

Usage: python benchmarks/bench_widgets.py [--quick]

Target (issue 11): <= 150 ms per edit at <= 25 pods, on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from npkit.course import model_cluster
from npkit.model import Cluster, Namespace, Pod
from npkit.widgets import Playground, SelectorLab, show_matrix

TARGET_MS = 150.0

POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-frontend-to-web
  namespace: default
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          project: myproject
    - podSelector:
        matchLabels:
          role: frontend
    ports:
    - protocol: TCP
      port: 80
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-egress
  namespace: x
spec:
  podSelector: {}
  policyTypes: [Egress]
"""
# A second version, so every edit changes the matrix (the port of the first rule).
OTHER = POLICY.replace("port: 80", "port: 8080")


def course_cluster(pods: int) -> Cluster:
    """The 16-pod model cluster, grown to `pods` with pods in three more namespaces."""
    base = model_cluster()
    extra = [Pod(f"p{i}", f"team-{i % 3}", {"app": f"svc{i % 4}", "tier": "back" if i % 2 else "front"},
                 ip=f"10.9.0.{i + 1}") for i in range(max(0, pods - len(base.pods)))]
    spaces = {f"team-{k}": Namespace(f"team-{k}", {"team": str(k)}) for k in range(3)}
    return base.merged(Cluster(namespaces=spaces, pods=tuple(extra)))


def _sent(widgets) -> int:
    """Encode what the kernel sends after an edit, as the kernel does (JSON), and return its size."""
    return sum(len(json.dumps(w.get_state(), ensure_ascii=False)) for w in widgets)


def playground_edit(pods: int, repeat: int) -> tuple[float, float, int]:
    """Median and worst ms per edit, and bytes sent, for a playground on a `pods`-pod cluster."""
    view = Playground(course_cluster(pods), POLICY, debounce=0)
    assert len(view.state.pods) == pods
    times, size = [], 0
    for k in range(repeat):
        text = OTHER if k % 2 == 0 else POLICY
        t0 = time.perf_counter()
        view.editor.value = text  # what the browser's message does
        size = _sent([view.grid.widget, view.editor, view.status, view.problems, view.explanation])
        times.append((time.perf_counter() - t0) * 1000)
        assert not view.state.stale and view.grid.widget.diagram is not None
    return statistics.median(times), max(times), size


def playground_click(pods: int, repeat: int) -> float:
    """Median ms for a click on a cell (explanation and repaint)."""
    view = Playground(course_cluster(pods), POLICY, debounce=0)
    cells = [("x/a", "default/web"), ("default/api", "x/b")]
    times = []
    for k in range(repeat):
        t0 = time.perf_counter()
        view.grid.buttons[cells[k % 2]].click()
        _sent([view.grid.widget, view.explanation])
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def selector_edit(repeat: int) -> float:
    view = SelectorLab(model_cluster(), debounce=0)
    times = []
    for k in range(repeat):
        t0 = time.perf_counter()
        view.editor.value = "matchLabels: {app: web}" if k % 2 else "matchExpressions:\n- {key: app, operator: Exists}"
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def show_matrix_first_display(pods: int, repeat: int) -> float:
    cluster = course_cluster(pods)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        view = show_matrix(cluster, 80)
        view.widget()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    repeat = 6 if parser.parse_args().quick else 30
    print(f"{'what':<46} {'median ms':>10} {'worst ms':>9} {'bytes sent':>11}")
    worst_median = 0.0
    for pods in (16, 25):
        median, worst, size = playground_edit(pods, repeat)
        worst_median = max(worst_median, median)
        print(f"{f'playground edit → matrix + diagram, {pods} pods':<46} {median:>10.1f} {worst:>9.1f} {size:>11,}")
    for pods in (16, 25):
        print(f"{f'playground click → explanation, {pods} pods':<46} {playground_click(pods, repeat):>10.1f}")
    print(f"{'selector lab edit, 16 pods':<46} {selector_edit(repeat):>10.1f}")
    print(f"{'show_matrix first display, 25 pods':<46} {show_matrix_first_display(25, max(3, repeat // 5)):>10.1f}")
    verdict = "within" if worst_median <= TARGET_MS else "OVER"
    print(f"target: <= {TARGET_MS:.0f} ms per edit after the debounce at <= 25 pods: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
