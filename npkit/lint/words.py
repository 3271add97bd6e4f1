"""Rules and endpoint sets in the few words a finding can afford."""

from __future__ import annotations

from ..engine import CompiledRule
from ..engine.matchers.peers import PeerCriterion
from ..engine.matchers.ports import NamedPort, PortCriterion
from ..i18n import messages

_ = messages("npkit").gettext
pgettext = messages("npkit").pgettext


def _peer_words(c: PeerCriterion) -> str:
    inner = _(" or ").join(s.describe() for s in c.sets)
    if c.end == "src":
        template = _("not from {peers}") if c.negate else _("from {peers}")
    else:
        template = _("not to {peers}") if c.negate else _("to {peers}")
    return template.format(peers=inner)


def _port_words(c: PortCriterion) -> str:
    inner = _(" or ").join(e.describe() for e in c.entries)
    source = c.end == "src"
    if c.negate:
        template = _("source port not {ports}") if source else _("port not {ports}")
    elif c.entries and isinstance(c.entries[0], NamedPort):  # "named port http", not "port named port http"
        template = _("source {ports}") if source else "{ports}"
    else:
        template = _("source port {ports}") if source else _("port {ports}")
    return template.format(ports=inner)


def rule_words(rule: CompiledRule) -> str:
    """"Allow from app == 'web' in namespace x and port 80": the action and every condition.

    >>> from npkit.engine.program import CompiledRule
    >>> rule_words(CompiledRule(0, "Deny", (), "spec.ingress[0]"))
    'Deny everything'
    """
    parts = []
    for c in rule.criteria:
        if isinstance(c, PeerCriterion):
            parts.append(_peer_words(c))
        elif isinstance(c, PortCriterion):
            parts.append(_port_words(c))
        else:
            parts.append(c.describe())
    conditions = pgettext("conditions", " and ").join(parts) or _("everything")
    return f"{rule.action} {conditions}"


def rule_label(rule: CompiledRule) -> str:
    """"spec.ingress[2] (Allow from ...)"."""
    return _("{rule} ({words})").format(rule=rule.label, words=rule_words(rule))
