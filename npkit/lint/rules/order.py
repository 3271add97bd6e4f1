"""Order and precedence: Calico tiers and policies without `order`, ClusterNetworkPolicy priority ties."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

from ...i18n import N_, messages
from ...model import KUBERNETES_POLICY_ORDER, ClusterNetworkPolicy
from ..context import LintContext, listing
from ..finding import Severity
from ..registry import Hit, lint_rule

_ = messages("npkit").gettext
ngettext = messages("npkit").ngettext

@lint_rule("NP401", "tier-order", "warning",
           N_("a Calico Tier without `order` is evaluated after every other tier, even after the default tier"))
def tier_order(ctx: LintContext) -> Iterator[Hit]:
    for tier in ctx.cluster.tiers.values():
        if tier.builtin or tier.order is not None or ctx.dataplane != "calico":
            continue
        users = [p for p in ctx.cluster.calico_policies if p.tier == tier.name]
        message = ngettext(
            "tier {tier} has no order, which Calico treats as infinite: it is evaluated after every tier that has "
            "one, including default (1,000,000, where Kubernetes NetworkPolicies live) and kube-baseline "
            "(10,000,000). Its {n} policy therefore only see what all other tiers passed on.",
            "tier {tier} has no order, which Calico treats as infinite: it is evaluated after every tier that has "
            "one, including default (1,000,000, where Kubernetes NetworkPolicies live) and kube-baseline "
            "(10,000,000). Its {n} policies therefore only see what all other tiers passed on.",
            len(users)).format(tier=tier.name, n=len(users))
        fix = _("set spec.order: lower runs first; below 1000 to act before ClusterNetworkPolicy Admin rules, "
                "below 1000000 to act before Kubernetes NetworkPolicies (the chapter's security tier uses 100)")
        yield Hit(message, fix, tier, "spec.order" if "spec.order" in getattr(tier, "field_lines", {}) else "spec")


@lint_rule("NP402", "policy-order", "warning",
           N_("a Calico policy without `order` runs last in its tier, after every policy that has one"))
def policy_order(ctx: LintContext) -> Iterator[Hit]:
    cluster = ctx.cluster
    for policy in cluster.calico_policies:
        if policy.order is not None or ctx.compiled(policy) is None:
            continue
        k8s = cluster.network_policies if policy.tier == "default" else ()
        others = [p for p in cluster.calico_policies if p is not policy and p.tier == policy.tier]
        if k8s and any(r.action == "Deny" for r in policy.ingress + policy.egress):
            template = _("{policy} has no order, so it runs after every policy of tier {tier} that has one, including "
                         "all Kubernetes NetworkPolicies (order {order} in tier default): connections they allow never "
                         "reach it, so its Deny rules cannot take back what they allow.")
        elif k8s:
            template = _("{policy} has no order, so it runs after every policy of tier {tier} that has one, including "
                         "all Kubernetes NetworkPolicies (order {order} in tier default): connections they allow never "
                         "reach it.")
        elif others:
            template = _("{policy} has no order, so it runs after every policy of tier {tier} that has one "
                         "({others}).")
        else:
            template = _("{policy} has no order, so it runs after every policy of tier {tier} that has one; alone in "
                         "its tier it works, but the next policy added will silently go first.")
        message = template.format(policy=policy.ref, tier=policy.tier, order=f"{KUBERNETES_POLICY_ORDER:g}",
                                  others=listing([str(p.ref) for p in others]))
        severity: Severity | None = None if (k8s or others) else "info"
        fix = _("set spec.order explicitly (lower runs first; Kubernetes NetworkPolicies sit at {order}), e.g. "
                "order: 100 to act before them").format(order=f"{KUBERNETES_POLICY_ORDER:g}")
        yield Hit(message, fix, policy, "spec", severity)


def _actions(policy: ClusterNetworkPolicy, direction: str) -> set[str]:
    return {r.action for r in getattr(policy, direction)}


@lint_rule("NP406", "priority-tie", "warning",
           N_("two ClusterNetworkPolicies of one tier share a priority and select the same pods: their order is "
              "implementation-defined (error when they decide differently)"))
def priority_tie(ctx: LintContext) -> Iterator[Hit]:
    groups: dict[tuple[str, int], list[ClusterNetworkPolicy]] = {}
    for p in ctx.cluster.cluster_network_policies:
        groups.setdefault((p.tier, p.priority), []).append(p)
    for (tier, priority), members in groups.items():
        for a, b in combinations(members, 2):
            common = [d for d in ("ingress", "egress") if getattr(a, d) and getattr(b, d)]
            if not common:
                continue  # they never meet in one direction's pipeline
            ma, mb = ctx.selected(a), ctx.selected(b)
            if ctx.has_pods and ma is not None and mb is not None:
                both = ctx.pod_keys(ma & mb)
                if not both:
                    continue
                overlap = _("both select {pods}").format(pods=listing(both))
            else:
                overlap = _("no pods were loaded, so npkit cannot tell whether they select the same pods")
            conflict = [d for d in common if _actions(a, d) != _actions(b, d) or len(_actions(a, d)) > 1]
            if conflict:
                acts = _("; ").join(_decide(d, a, b) for d in conflict)
                template = _("{a} and {b} both have priority {priority} in the {tier} tier and {overlap}. The API "
                             "leaves the order of equal priorities to the implementation (Calico and npkit go by "
                             "name), so clusters may disagree about connections the two decide differently "
                             "({decisions}).")
            else:
                acts = ""
                template = _("{a} and {b} both have priority {priority} in the {tier} tier and {overlap}. The API "
                             "leaves the order of equal priorities to the implementation (Calico and npkit go by "
                             "name), so clusters may disagree.")
            message = template.format(a=a.ref, b=b.ref, priority=priority, tier=tier, overlap=overlap, decisions=acts)
            fix = _("give one of them a different priority (lower is evaluated first), e.g. {priority}").format(
                priority=priority + 1)
            yield Hit(message, fix, b, "spec.priority", "error" if conflict and ctx.has_pods else None)


def _decide(direction: str, a: ClusterNetworkPolicy, b: ClusterNetworkPolicy) -> str:
    """"ingress: a Accept, b Deny": what each of two policies does in one direction."""
    template = _("ingress: {a} {a_actions}, {b} {b_actions}") if direction == "ingress" else \
        _("egress: {a} {a_actions}, {b} {b_actions}")
    return template.format(a=a.name, a_actions="/".join(sorted(_actions(a, direction))),
                           b=b.name, b_actions="/".join(sorted(_actions(b, direction))))
