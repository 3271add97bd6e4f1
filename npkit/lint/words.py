"""Rules and endpoint sets in the few words a finding can afford."""

from __future__ import annotations

from ..engine import CompiledRule
from ..engine.matchers.peers import PeerCriterion
from ..engine.matchers.ports import PortCriterion


def rule_words(rule: CompiledRule) -> str:
    """"Allow from app == 'web' in namespace x and port 80": the action and every condition.

    >>> from npkit.engine.program import CompiledRule
    >>> rule_words(CompiledRule(0, "Deny", (), "spec.ingress[0]"))
    'Deny everything'
    """
    parts = []
    for c in rule.criteria:
        if isinstance(c, PeerCriterion):
            way = "from" if c.end == "src" else "to"
            inner = " or ".join(s.describe() for s in c.sets)
            parts.append(f"{'not ' if c.negate else ''}{way} {inner}")
        elif isinstance(c, PortCriterion):
            side = "source port" if c.end == "src" else "port"
            inner = " or ".join(e.describe() for e in c.entries)
            text = f"{side} {'not ' if c.negate else ''}{inner}"
            parts.append(text.replace("port named port", "named port"))
        else:
            parts.append(c.describe())
    return f"{rule.action} {' and '.join(parts) or 'everything'}"


def rule_label(rule: CompiledRule) -> str:
    """"spec.ingress[2] (Allow from ...)"."""
    return f"{rule.label} ({rule_words(rule)})"
