"""Running the rules over a cluster."""

from __future__ import annotations

from collections.abc import Iterable

from ..engine.program import Dataplane
from ..i18n import tidy
from ..model import Cluster
from . import rules as _rules  # noqa: F401 - registers every rule
from .context import LintContext, locate
from .finding import Finding
from .registry import ordered, resolve
from .report import Findings


def lint(cluster: Cluster, dataplane: Dataplane = "calico", l7: bool = False,
         ignore: Iterable[str] = (), only: Iterable[str] | None = None) -> Findings:
    """Every finding of every rule (except `ignore`d ones; only `only` when given), by file and line.

    >>> from npkit.loading import load_string
    >>> findings = lint(load_string('''
    ... apiVersion: networking.k8s.io/v1
    ... kind: NetworkPolicy
    ... metadata: {name: default-deny-all, namespace: app}
    ... spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
    ... ''', "p.yaml"))
    >>> [f.rule for f in findings]
    ['NP001', 'NP101']
    """
    skip = resolve(ignore)
    wanted = resolve(only) if only is not None else None
    ctx = LintContext(cluster, dataplane, l7)
    out: list[Finding] = []
    for rule in ordered():
        if rule.id in skip or (wanted is not None and rule.id not in wanted):
            continue
        if rule.needs_pods and not ctx.has_pods:
            continue
        for hit in rule.check(ctx):
            ref = hit.subject.ref if hit.subject is not None else None
            out.append(Finding(rule.id, rule.name, hit.severity or rule.severity, tidy(hit.message), tidy(hit.fix),
                               ref, hit.path, locate(hit.subject, hit.path)))
    return Findings(sorted(out, key=lambda f: f.sort_key), notes=ctx.engine.notes)
