"""What selectors select in the loaded cluster: policies and peers that match nothing, and
namespaces selected by a label they do not carry. Masks come from the engine's own matchers."""

from __future__ import annotations

from collections.abc import Iterator

from ...engine.matchers.endpoints import CalicoSelection, Pods
from ...engine.matchers.peers import PeerCriterion
from ...i18n import N_, messages
from ...model import (
    NAMESPACE_NAME_LABEL,
    AnyPolicy,
    CalicoPolicy,
    Cluster,
    ClusterNetworkPolicy,
    LabelSelector,
    NetworkPolicy,
)
from ...selectors import Eq as CalicoEq
from ...selectors import In, k8s, parse
from ..context import LintContext, listing
from ..registry import Hit, lint_rule

CALICO_NAME_LABEL = "projectcalico.org/name"
_ = messages("npkit").gettext
ngettext = messages("npkit").ngettext


# -- namespaces selected by a label they lack (NP203) ---------------------------------------------
def _ns_labels(cluster: Cluster, name: str) -> dict[str, str]:
    return {**cluster.namespaces[name].labels, CALICO_NAME_LABEL: name}


def k8s_namespace_hint(sel: LabelSelector, cluster: Cluster) -> tuple[str, str] | None:
    """(namespace, "key=value") when `sel` selects no namespace but names one by a label it lacks."""
    if any(k8s.matches(sel, ns.labels) for ns in cluster.namespaces.values()):
        return None
    pairs = [(k, v) for k, v in sel.match_labels]
    pairs += [(r.key, v) for r in sel.match_expressions if r.operator == "In" for v in r.values]
    for key, value in pairs:
        if key != NAMESPACE_NAME_LABEL and value in cluster.namespaces:
            return value, f"{key}={value}"
    return None


def calico_namespace_hint(text: str, cluster: Cluster) -> tuple[str, str] | None:
    """Like k8s_namespace_hint, for a Calico namespaceSelector expression."""
    sel = parse(text)
    if any(sel.matches(_ns_labels(cluster, n)) for n in cluster.namespaces):
        return None
    for node in sel.walk():
        values: tuple[str, ...]
        if isinstance(node, CalicoEq):
            key, values = node.key, (node.value,)
        elif isinstance(node, In):
            key, values = node.key, node.values
        else:
            continue
        for value in values:
            if key not in (NAMESPACE_NAME_LABEL, CALICO_NAME_LABEL) and value in cluster.namespaces:
                return value, f"{key} == '{value}'"
    return None


def namespace_selectors(cluster: Cluster) -> Iterator[tuple[AnyPolicy, str, LabelSelector | str]]:
    """(policy, field path, selector) for every namespace selector: LabelSelector or Calico text.

    The model is walked (not the compiled program) because findings point at the YAML field.
    """
    for p in cluster.network_policies:
        yield from _k8s_namespace_selectors(p)
    for c in cluster.calico_policies:
        yield from _calico_namespace_selectors(c)
    for n in cluster.cluster_network_policies:
        yield from _cnp_namespace_selectors(n)


def _k8s_namespace_selectors(p: NetworkPolicy) -> Iterator[tuple[AnyPolicy, str, LabelSelector | str]]:
    for key, field in (("ingress", "from"), ("egress", "to")):
        for r, rule in enumerate(getattr(p, key)):
            for i, peer in enumerate(rule.peers):
                if peer.namespace_selector is not None:
                    yield p, f"spec.{key}[{r}].{field}[{i}].namespaceSelector", peer.namespace_selector


def _calico_namespace_selectors(c: CalicoPolicy) -> Iterator[tuple[AnyPolicy, str, LabelSelector | str]]:
    if c.namespace_selector is not None:
        yield c, "spec.namespaceSelector", c.namespace_selector
    for key in ("ingress", "egress"):
        for r, rule in enumerate(getattr(c, key)):
            for end in ("source", "destination"):
                text = getattr(rule, end).namespace_selector
                if text is not None:
                    yield c, f"spec.{key}[{r}].{end}.namespaceSelector", text


def _cnp_namespace_selectors(n: ClusterNetworkPolicy) -> Iterator[tuple[AnyPolicy, str, LabelSelector | str]]:
    pods_subject = n.subject.pod_selector is not None
    subject = "spec.subject.pods.namespaceSelector" if pods_subject else "spec.subject.namespaces"
    yield n, subject, n.subject.namespace_selector
    for key, field in (("ingress", "from"), ("egress", "to")):
        for r, rule in enumerate(getattr(n, key)):
            for i, peer in enumerate(rule.peers):
                if peer.namespace_selector is not None:
                    where = "pods.namespaceSelector" if peer.kind == "pods" else "namespaces"
                    yield n, f"spec.{key}[{r}].{field}[{i}].{where}", peer.namespace_selector


def _hint(cluster: Cluster, selector: LabelSelector | str) -> tuple[str, str] | None:
    if isinstance(selector, LabelSelector):
        return k8s_namespace_hint(selector, cluster)
    return calico_namespace_hint(selector, cluster)


@lint_rule("NP203", "namespace-label", "warning",
           N_("a namespaceSelector names a namespace by a label that namespace does not carry"))
def namespace_label(ctx: LintContext) -> Iterator[Hit]:
    cluster = ctx.cluster
    for policy, path, selector in namespace_selectors(cluster):
        hint = _hint(cluster, selector)
        if hint is None:
            continue
        name, term = hint
        labels = ", ".join(f"{k}={v}" for k, v in sorted(cluster.namespaces[name].labels.items()))
        shown = k8s.describe(selector) if isinstance(selector, LabelSelector) else selector
        message = _("namespaceSelector {selector} selects no namespace: it asks for {term}, but namespace {namespace} "
                    "carries only {labels}. Namespaces get no labels unless someone adds them; {name_label} is the one "
                    "every namespace has.").format(selector=shown, term=term, namespace=name, labels=labels,
                                                   name_label=NAMESPACE_NAME_LABEL)
        if isinstance(selector, LabelSelector):
            by_name = f"namespaceSelector: {{matchLabels: {{{NAMESPACE_NAME_LABEL}: {name}}}}}"
        else:
            by_name = f"namespaceSelector: {NAMESPACE_NAME_LABEL} == '{name}'"
        label = term.replace(" == ", "=").replace("'", "")
        fix = _("select it by name: {selector} (or label the namespace: kubectl label namespace {namespace} "
                "{label})").format(selector=by_name, namespace=name, label=label)
        yield Hit(message, fix, policy, path)


# -- policies that select nothing (NP201) ---------------------------------------------------------
def _subject_path(policy: AnyPolicy) -> str:
    if isinstance(policy, NetworkPolicy):
        return "spec.podSelector"
    if isinstance(policy, CalicoPolicy):
        return "spec.selector"
    return "spec.subject"


def _k8s_elsewhere(ctx: LintContext, sel: LabelSelector, namespace: str) -> list[str]:
    """Namespaces other than `namespace` with pods matching `sel`."""
    u = ctx.engine.universe
    hits = k8s.mask(sel, u.pod_index)
    return sorted({u.pods[i].namespace for i in range(u.size) if hits[i] and u.pods[i].namespace != namespace})


@lint_rule("NP201", "selects-no-pod", "warning", N_("a policy selects no pod of the loaded cluster"), needs_pods=True)
def selects_no_pod(ctx: LintContext) -> Iterator[Hit]:
    for policy in ctx.cluster.policies:
        mask = ctx.selected(policy)
        if mask is None or mask.any():
            continue
        if isinstance(policy, CalicoPolicy) and (policy.pre_dnat or policy.do_not_track):
            continue  # host-endpoint policies select no pod by design
        fix = _("compare the selector with the pods' labels (kubectl get pods -n <ns> --show-labels) and correct it; "
                "delete the policy if its workload is gone")
        if isinstance(policy, NetworkPolicy):
            message, better = _no_pod_in_namespace(ctx, policy)
            fix = better or fix
        elif isinstance(policy, CalicoPolicy):
            compiled = ctx.compiled(policy)
            shown = compiled.subject.describe() if compiled is not None else policy.selector
            message = _("selects no pod: no workload endpoint matches {selector}, so it has no effect.").format(
                selector=shown)
        else:
            message = _("selects no pod: no pod matches its subject, so it has no effect.")
        yield Hit(message, fix, policy, _subject_path(policy))


def _no_pod_in_namespace(ctx: LintContext, policy: NetworkPolicy) -> tuple[str, str | None]:
    """Why a NetworkPolicy selects no pod, and a better fix when its pods run in another namespace."""
    ns_pods = [p for p in ctx.cluster.pods if p.namespace == policy.namespace]
    if not ns_pods:
        return _("selects no pod: namespace {namespace} has no pods in the loaded input, so it has no "
                 "effect.").format(namespace=policy.namespace), None
    what = f"podSelector {k8s.describe(policy.pod_selector)}"
    elsewhere = _k8s_elsewhere(ctx, policy.pod_selector, policy.namespace)
    if not elsewhere:
        return ngettext("selects no pod: none of the {n} pod in namespace {namespace} matches {selector}, so it has "
                        "no effect.",
                        "selects no pod: none of the {n} pods in namespace {namespace} matches {selector}, so it has "
                        "no effect.", len(ns_pods)).format(n=len(ns_pods), namespace=policy.namespace,
                                                           selector=what), None
    message = ngettext("selects no pod: none of the {n} pod in namespace {namespace} matches {selector}; pods with "
                       "these labels run in namespace {elsewhere}, but a NetworkPolicy only ever selects pods of its "
                       "own namespace, so it has no effect.",
                       "selects no pod: none of the {n} pods in namespace {namespace} matches {selector}; pods with "
                       "these labels run in namespace {elsewhere}, but a NetworkPolicy only ever selects pods of its "
                       "own namespace, so it has no effect.", len(ns_pods)).format(
        n=len(ns_pods), namespace=policy.namespace, selector=what, elsewhere=listing(elsewhere))
    fix = _("create the policy in namespace {namespace} instead (metadata.namespace)").format(
        namespace=listing(elsewhere))
    return message, fix


# -- peers that match nothing (NP202) -------------------------------------------------------------
def _peer_hint(ctx: LintContext, policy: AnyPolicy, rule_path: str, index: int | None) -> tuple[bool, str, str]:
    """(skip because NP203 reports it, extra words, fix) for one peer."""
    cluster = ctx.cluster
    fix = _("compare the selector with the labels of the pods you meant, and correct it")
    key, r = rule_path.removeprefix("spec.").rstrip("]").split("[")
    if isinstance(policy, NetworkPolicy) and index is not None:
        peer = getattr(policy, key)[int(r)].peers[index]
        if peer.namespace_selector is not None:
            if k8s_namespace_hint(peer.namespace_selector, cluster):
                return True, "", ""
            names = [n for n, ns in cluster.namespaces.items() if k8s.matches(peer.namespace_selector, ns.labels)]
            if not names:
                extra = _("; no namespace matches namespaceSelector {selector}").format(
                    selector=k8s.describe(peer.namespace_selector))
                return False, extra, fix
            return False, _("; the namespaces it selects ({namespaces}) have no such pod").format(
                namespaces=listing(sorted(names))), fix
        if peer.pod_selector is not None:
            elsewhere = _k8s_elsewhere(ctx, peer.pod_selector, policy.namespace)
            if elsewhere:
                extra = _("; pods with these labels run in namespace {elsewhere}, but a podSelector without a "
                          "namespaceSelector only looks in the policy's namespace {namespace}").format(
                    elsewhere=listing(elsewhere), namespace=policy.namespace)
                fix = _("add a namespaceSelector to the same peer (no dash before it), e.g. {selector}").format(
                    selector=f"namespaceSelector: {{matchLabels: {{{NAMESPACE_NAME_LABEL}: {elsewhere[0]}}}}}")
                return False, extra, fix
    if isinstance(policy, ClusterNetworkPolicy) and index is not None:
        peer = getattr(policy, key)[int(r)].peers[index]
        if peer.namespace_selector is not None and k8s_namespace_hint(peer.namespace_selector, cluster):
            return True, "", ""
    if isinstance(policy, CalicoPolicy):
        for end in ("source", "destination"):
            text = getattr(getattr(policy, key)[int(r)], end).namespace_selector
            if text is not None and calico_namespace_hint(text, cluster):
                return True, "", ""
    return False, "", fix


@lint_rule("NP202", "peer-matches-nothing", "warning",
           N_("a peer selector (from/to, source/destination) matches no pod of the loaded cluster"), needs_pods=True)
def peer_matches_nothing(ctx: LintContext) -> Iterator[Hit]:
    u = ctx.engine.universe
    for policy in ctx.cluster.policies:
        compiled = ctx.compiled(policy)
        if compiled is None:
            continue
        for rule in compiled.ingress + compiled.egress:
            for c in rule.criteria:
                if not isinstance(c, PeerCriterion) or c.negate:
                    continue
                for i, s in enumerate(c.sets):
                    if not isinstance(s, (Pods, CalicoSelection)) or s.mask(u).any():
                        continue
                    index = i if c.indexed else None
                    path = f"{c.path}.{c.field}[{i}]" if c.indexed else c.field
                    skip, extra, fix = _peer_hint(ctx, policy, rule.path, index)
                    if skip:
                        continue
                    if isinstance(s, CalicoSelection):
                        template = _("{field} ({what}) matches no endpoint or network set of the loaded "
                                     "cluster{extra}, so {rule} never applies to anyone through it.")
                    else:
                        template = _("{field} ({what}) matches no pod of the loaded cluster{extra}, so {rule} never "
                                     "applies to anyone through it.")
                    message = template.format(field=path.removeprefix(rule.path + "."), what=s.describe(),
                                              extra=extra, rule=rule.label)
                    yield Hit(message, fix, policy, path)
