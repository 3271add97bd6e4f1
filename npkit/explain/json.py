"""A verdict as JSON-ready data: the same path as the text, with stable keys."""

from __future__ import annotations

from typing import Any

from ..engine import PolicyTrace, RuleTrace, SideVerdict, TierTrace, Verdict
from ..model import ObjectRef


def _ref(ref: ObjectRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    return {"kind": ref.kind, "namespace": ref.namespace, "name": ref.name}


def _rule(r: RuleTrace) -> dict[str, Any]:
    return {
        "index": r.index, "path": r.path, "name": r.name or None, "action": r.action, "matched": r.matched,
        "checks": [{"ok": c.ok, "text": c.text, "path": c.path} for c in r.checks],
        "notes": list(r.notes),
    }


def _policy(p: PolicyTrace) -> dict[str, Any]:
    return {"policy": _ref(p.ref), "family": p.family, "order": p.order, "outcome": p.outcome,
            "rules": [_rule(r) for r in p.rules], "notes": list(p.notes)}


def _tier(t: TierTrace) -> dict[str, Any]:
    return {"tier": t.name, "title": t.title, "order": t.order, "default_action": t.default_action,
            "outcome": t.outcome, "policies": [_policy(p) for p in t.policies]}


def side_to_json(s: SideVerdict) -> dict[str, Any]:
    d = s.decision
    return {
        "direction": s.direction.lower(), "endpoint": s.endpoint, "enforced": s.enforced, "allowed": s.allowed,
        "isolated_by": [_ref(r) for r in s.isolated_by],
        "decision": {"kind": d.kind, "allowed": d.allowed, "text": d.text, "tier": d.tier,
                     "policy": _ref(d.policy), "rule": d.rule},
        "tiers": [_tier(t) for t in s.tiers],
        "logged": list(s.logged),
        "reached": s.reached,
        "staged": [_ref(r) for r in s.staged],
    }


def verdict_to_json(v: Verdict) -> dict[str, Any]:
    """The verdict as plain dicts and lists (json.dumps-able)."""
    t = v.probe.traffic
    return {
        "from": v.probe.src.key, "to": v.probe.dst.key,
        "traffic": {"protocol": t.protocol, "port": t.port, "icmp_type": t.icmp_type, "icmp_code": t.icmp_code,
                    "http_method": t.http_method, "http_path": t.http_path},
        "allowed": v.allowed, "dataplane": v.dataplane, "view": v.view, "summary": v.summary,
        "egress": side_to_json(v.egress), "ingress": side_to_json(v.ingress), "notes": list(v.notes),
    }
