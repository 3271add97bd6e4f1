"""`review`: lint as a learner sees it, about the files they wrote.

The course's clusters come from data files the learner never opens (`default.yaml`,
`impostor-dns.yaml`). A finding about one of their objects, say a namespace without a default
deny, is still worth saying, but "default.yaml:13" points at nothing the learner can find; so
such findings keep their object and message and lose their location.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ..lint import Findings, lint
from ..model import Cluster, Origin


def review(cluster: Cluster, files: Iterable[str], ignore: Iterable[str] = (), only: Iterable[str] | None = None,
           dataplane: str = "calico") -> Findings:
    """Lint `cluster`, locating findings only in `files` (the learner's own); others lose their file and line.

    >>> from npkit.course import model_cluster
    >>> from npkit.loading import load_string
    >>> mine = load_string("apiVersion: networking.k8s.io/v1\\nkind: NetworkPolicy\\n"
    ...                    "metadata: {name: web-policy, namespace: x}\\nspec: {podSelector: {}}\\n", "mine.yaml")
    >>> sorted({f.origin.file for f in review(model_cluster("monitoring").merged(mine), ["mine.yaml"])})
    ['', 'mine.yaml']
    """
    own = set(files)
    found = lint(cluster, dataplane, ignore=ignore, only=only)  # type: ignore[arg-type]  # "calico" | "kubernetes"
    kept = [f if f.origin.file in own else replace(f, origin=Origin("")) for f in found]
    return Findings(kept, notes=found.notes)
