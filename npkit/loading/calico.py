"""Calico projectcalico.org/v3 kinds: policies (plain and staged), Tiers, network sets.

Checked as Calico 3.32 checks them: libcalico-go's validator and the CEL rules on the API
types (see calico_rules.py for rules). HostEndpoint and Profile are accepted but not
modelled. Whether a policy's tier exists is checked once every file is read, because the
Tier may come later or from another file.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from collections.abc import Sequence as SequenceOf

from npkit.i18n import messages
from npkit.model import (
    BUILTIN_TIERS,
    CalicoPolicy,
    Diagnostic,
    NetworkPolicy,
    NetworkSet,
    Origin,
    Tier,
)
from npkit.model.calico import TierDefault
from npkit.model.k8s import Direction

from . import validation
from .calico_rules import forbid_global, read_rules, read_selector
from .fields import Field, FieldLines, Fields, describe
from .k8s import NETWORK_POLICY_SPEC_FIELDS, read_network_policy_spec
from .kinds import DEFAULT_TOP_FIELDS, Manifest, cross_check, register
from .spelling import closest, did_you_mean
from .yamlio import Mapping, Scalar, Sequence

GROUP = "projectcalico.org"
WITH_STATUS = DEFAULT_TOP_FIELDS | {"status"}  # `kubectl get -o yaml` output carries status

POLICY_SPEC_FIELDS = frozenset({"tier", "order", "selector", "types", "ingress", "egress",
                                "serviceAccountSelector", "performanceHints"})
GLOBAL_POLICY_SPEC_FIELDS = POLICY_SPEC_FIELDS | {"namespaceSelector", "doNotTrack", "preDNAT", "applyOnForward"}
STAGED_ACTIONS = ("Set", "Delete", "Learn", "Ignore")
PERFORMANCE_HINTS = ("AssumeNeededOnEveryNode",)
POLICY_TYPES: tuple[Direction, ...] = ("Ingress", "Egress")
TIER_SPEC_FIELDS = frozenset({"order", "defaultAction"})
TIER_ACTIONS = ("Deny", "Pass")
FIXED_TIERS = {t.name: t for t in BUILTIN_TIERS}
# Built-in tiers of Calico 3.29-3.31, ordinary names since 3.32 (docs/semantics/calico.md, tiers).
OLD_BUILTIN_TIERS = ("adminnetworkpolicy", "baselineadminnetworkpolicy")
NAMESPACE_LABEL = "projectcalico.org/namespace"  # Calico sets it; a NetworkSet may not

_ = messages("npkit").gettext


def _staged_note(kind: str, action: str | None) -> str:
    """What a staged policy is, said of the object; `action` is its stagedAction when it is not Set."""
    if action is None:
        return _("is staged: npkit shows it and its verdicts, but it never changes traffic (Calico only reports what "
                 "it would do, as pending verdicts in flow logs); create it as {kind} to enforce it").format(kind=kind)
    return _("stagedAction {action}: is staged: npkit shows it and its verdicts, but it never changes traffic (Calico "
             "only reports what it would do, as pending verdicts in flow logs); create it as {kind} to enforce "
             "it").format(kind=kind, action=action)


# -- policies ----------------------------------------------------------------------------


@register(GROUP, "NetworkPolicy", ("v3",), name_rule=validation.calico_policy_name, top_fields=WITH_STATUS)
def load_network_policy(obj: Manifest) -> list[CalicoPolicy]:
    """A Calico NetworkPolicy: applies to endpoints in its own namespace."""
    return _load_policy(obj, is_global=False, staged=False)


@register(GROUP, "GlobalNetworkPolicy", ("v3",), namespaced=False,
          name_rule=validation.calico_global_policy_name, top_fields=WITH_STATUS)
def load_global_network_policy(obj: Manifest) -> list[CalicoPolicy]:
    """A Calico GlobalNetworkPolicy: applies to endpoints in every namespace (and host endpoints)."""
    return _load_policy(obj, is_global=True, staged=False)


@register(GROUP, "StagedNetworkPolicy", ("v3",), name_rule=validation.calico_policy_name, top_fields=WITH_STATUS)
def load_staged_network_policy(obj: Manifest) -> list[CalicoPolicy]:
    """A StagedNetworkPolicy: a NetworkPolicy that is shown but never enforced."""
    return _load_policy(obj, is_global=False, staged=True)


@register(GROUP, "StagedGlobalNetworkPolicy", ("v3",), namespaced=False,
          name_rule=validation.calico_global_policy_name, top_fields=WITH_STATUS)
def load_staged_global_network_policy(obj: Manifest) -> list[CalicoPolicy]:
    """A StagedGlobalNetworkPolicy: a GlobalNetworkPolicy that is shown but never enforced."""
    return _load_policy(obj, is_global=True, staged=True)


@register(GROUP, "StagedKubernetesNetworkPolicy", ("v3",), top_fields=WITH_STATUS)
def load_staged_kubernetes_network_policy(obj: Manifest) -> list[NetworkPolicy]:
    """A staged Kubernetes NetworkPolicy: the networking.k8s.io/v1 spec shape, never enforced."""
    spec = obj.spec(NETWORK_POLICY_SPEC_FIELDS | {"stagedAction"})
    if not _read_staged_action(obj, spec, "NetworkPolicy (networking.k8s.io/v1)", keep=()):
        return []
    selector, types, ingress, egress = read_network_policy_spec(spec if spec is not None else _empty_spec(obj))
    meta = obj.meta
    return [NetworkPolicy(meta.name, meta.namespace or "", selector, types, ingress, egress, staged=True,
                          origin=obj.origin, field_lines=FieldLines(obj.root.node))]


def _load_policy(obj: Manifest, *, is_global: bool, staged: bool) -> list[CalicoPolicy]:
    known = GLOBAL_POLICY_SPEC_FIELDS if is_global else POLICY_SPEC_FIELDS
    spec = obj.spec(known | {"stagedAction"} if staged else known)
    if staged:
        enforced = "GlobalNetworkPolicy" if is_global else "NetworkPolicy"
        if not _read_staged_action(obj, spec, enforced, keep=("tier",)):
            return []
    if spec is None:
        obj.report.warning(_("has no spec, so it selects every endpoint it can and denies all their ingress; write "
                             "spec.selector and spec.types to say what you mean"), obj.root.line)
        spec = _empty_spec(obj)
    tier = _read_tier_name(spec)
    order = read_float(spec.get("order"))
    selector = _read_policy_selector(spec, "selector") or ""
    account_selector = _read_policy_selector(spec, "serviceAccountSelector")
    namespace_selector = _read_policy_selector(spec, "namespaceSelector") if is_global else None
    ingress = read_rules(spec, "ingress", is_global)
    egress = read_rules(spec, "egress", is_global)
    types = _read_types(spec)
    _read_performance_hints(spec)
    flags = _read_host_flags(spec, types) if is_global else (False, False, False)
    _note_tier_prefix(obj, tier)
    meta = obj.meta
    return [CalicoPolicy(
        meta.name, meta.namespace if not is_global else None, tier, order, selector, types, ingress, egress,
        namespace_selector, account_selector, staged, *flags, origin=obj.origin,
        field_lines=FieldLines(obj.root.node),
    )]


def _empty_spec(obj: Manifest) -> Fields:
    """An empty `spec`, so that an object without one gets every default through the same code."""
    return Fields(Mapping(obj.root.line, 1), "spec", obj.report, None)


def _present(spec: Fields, name: str) -> bool:
    """True when `name` is a non-empty list (without reporting anything: its reader does that)."""
    field = spec.get(name)
    return field is not None and isinstance(field.node, Sequence) and bool(field.node.items)


def read_float(field: Field | None) -> float | None:
    """An `order`: any finite number (Calico stores a float64)."""
    if field is None or field.refused:
        return None
    value = field.node.value if isinstance(field.node, Scalar) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    hint = _("; remove the quotes") if isinstance(value, str) and _is_number(value) else ""
    field.error(_("must be a number such as 100 or 10.5, not {actual}{hint}").format(actual=describe(field.node),
                                                                                     hint=hint))
    return None


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _read_tier_name(spec: Fields) -> str:
    name = spec.get_str("tier")
    if not name:
        return "default"  # the API server's default
    spec.at("tier").invalid(validation.dns1123_label(name))
    return name


def _read_policy_selector(spec: Fields, name: str) -> str | None:
    field = spec.get(name)
    text = read_selector(field)
    forbid_global(field, text)
    return text


def _read_types(spec: Fields) -> tuple[Direction, ...]:
    """`types` as written, else Calico's default from the rules present (docs/semantics/calico.md, types)."""
    has_ingress, has_egress = _present(spec, "ingress"), _present(spec, "egress")
    written = spec.get_str_list("types")
    if written is None:
        if has_egress:
            return ("Ingress", "Egress") if has_ingress else ("Egress",)
        return ("Ingress",)
    if not written:
        spec.at("types").error(_("must list Ingress, Egress or both; leave types out to let Calico choose from the "
                                 "rules present"))
        return ()
    seen: list[Direction] = []
    for value, item in written:
        if value in seen:
            item.error(_("{value} is listed twice; types is a set").format(value=value))
        elif value in POLICY_TYPES:
            seen.append("Ingress" if value == "Ingress" else "Egress")
        else:
            same = [t for t in POLICY_TYPES if t.lower() == value.lower()]
            hint = _('; write "{value}" (capitalised)').format(value=same[0]) if same else ""
            item.error(_('must be Ingress or Egress, not "{value}"{hint}').format(value=value, hint=hint))
    types = tuple(t for t in POLICY_TYPES if t in seen)
    for direction, present in (("Ingress", has_ingress), ("Egress", has_egress)):
        if present and types and direction not in types:
            key = direction.lower()
            spec.at(key).warning(_("these ingress rules are ignored: types does not list Ingress") if key == "ingress"
                                 else _("these egress rules are ignored: types does not list Egress"))
    return types


def _read_performance_hints(spec: Fields) -> None:
    """`performanceHints` never change what a policy does; only their values are checked."""
    seen: set[str] = set()
    for hint, item in spec.get_str_list("performanceHints") or ():
        if hint not in PERFORMANCE_HINTS:
            item.error(_('must be AssumeNeededOnEveryNode, not "{value}"').format(value=hint))
        elif hint in seen:
            item.error(_("{value} is listed twice").format(value=hint))
        seen.add(hint)


def _read_host_flags(spec: Fields, types: tuple[Direction, ...]) -> tuple[bool, bool, bool]:
    """doNotTrack, preDNAT and applyOnForward, with the constraints of globalnetworkpolicy.go's CEL rules."""
    do_not_track = bool(spec.get_bool("doNotTrack"))
    pre_dnat = bool(spec.get_bool("preDNAT"))
    apply_on_forward = bool(spec.get_bool("applyOnForward"))
    if do_not_track and pre_dnat:
        spec.at("preDNAT").error(_("preDNAT and doNotTrack cannot both be true"))
    if pre_dnat and _present(spec, "egress"):
        spec.at("egress").error(_("a preDNAT policy cannot have egress rules: it only sees packets arriving at a host, "
                                  "before DNAT"))
    if pre_dnat and "types" in spec and "Egress" in types:
        spec.at("types").error(_("a preDNAT policy cannot have the Egress type"))
    for name, on in (("doNotTrack", do_not_track), ("preDNAT", pre_dnat)):
        if on and not apply_on_forward:
            spec.at(name).error(_("{field}: true needs applyOnForward: true as well").format(field=name))
    for name, on in (("doNotTrack", do_not_track), ("preDNAT", pre_dnat)):
        if on:
            spec.at(name).warning(_("{field} policies apply only to host endpoints, which npkit does not model: npkit "
                                    "shows this policy but it never affects pods").format(field=name))
    return do_not_track, pre_dnat, apply_on_forward


def _read_staged_action(obj: Manifest, spec: Fields | None, enforced_kind: str, keep: tuple[str, ...]) -> bool:
    """Check `stagedAction` and add the staged note; False for Delete, which proposes removing a policy."""
    action = spec.get_str("stagedAction") if spec is not None else None
    if spec is not None and action is not None and action not in STAGED_ACTIONS:
        same = [a for a in STAGED_ACTIONS if a.lower() == action.lower()]
        hint = _('; write "{value}"').format(value=same[0]) if same else ""
        spec.at("stagedAction").error(_('must be one of Set, Delete, Learn, Ignore, not "{value}"{hint}').format(
            value=action, hint=hint))
        return True
    if spec is not None and action == "Delete":
        for name, field in spec.items():
            if name not in keep and name != "stagedAction" and not _is_zero(field):
                field.error(_("must be left out when stagedAction is Delete (only {fields} may be set)").format(
                    fields=", ".join(keep + ("stagedAction",))))
        obj.report.info(_("stagedAction Delete stages the removal of {kind} {name}; npkit has nothing to evaluate for "
                          "it").format(kind=enforced_kind, name=obj.meta.name), spec.at("stagedAction").line)
        return False
    obj.report.info(_staged_note(enforced_kind, action if action not in (None, "Set") else None), obj.root.line)
    return True


def _is_zero(field: Field) -> bool:
    """Null, {}, [], "", 0 or false: what Calico's Delete check compares with the empty spec."""
    node = field.node
    if isinstance(node, Mapping):
        return not node.entries
    if isinstance(node, Sequence):
        return not node.items
    return isinstance(node, Scalar) and not node.value


def _note_tier_prefix(obj: Manifest, tier: str) -> None:
    if tier != "default" and obj.meta.name.startswith(f"{tier}."):
        name_field = obj.root.find("metadata", "name")
        line = name_field.line if name_field is not None else obj.root.line
        obj.report.info(_('Calico 3.32 no longer requires the "{tier}." prefix on names of policies in tier {tier} '
                          '(3.29-3.31 did); "{name}" is still a valid name').format(tier=tier, name=obj.meta.name),
                        line, "metadata.name")


@cross_check
def check_tiers_exist(objects: SequenceOf[object]) -> Iterator[Diagnostic]:
    """A Calico policy may only name a Tier that exists (built in, or loaded from any file)."""
    tiers = set(FIXED_TIERS) | {o.name for o in objects if isinstance(o, Tier)}
    for policy in objects:
        if isinstance(policy, CalicoPolicy) and policy.tier not in tiers:
            line = policy.field_lines.get("spec.tier", policy.origin.line)
            hint = did_you_mean(closest(policy.tier, tiers))
            yield Diagnostic(
                "error", _('tier "{tier}" does not exist{hint}; create it with a Tier object (apiVersion: '
                           "projectcalico.org/v3, kind: Tier), in any file you load").format(tier=policy.tier,
                                                                                             hint=hint),
                Origin(policy.origin.file, line), policy.ref, "spec.tier")


# -- tiers and network sets --------------------------------------------------------------


@register(GROUP, "Tier", ("v3",), namespaced=False, name_rule=validation.dns1123_label, top_fields=WITH_STATUS)
def load_tier(obj: Manifest) -> list[Tier]:
    """A Tier: `order` (None sorts last) and `defaultAction` (Deny unless Pass)."""
    spec = obj.spec(TIER_SPEC_FIELDS)
    order = read_float(spec.get("order")) if spec is not None else None
    written = spec.get_str("defaultAction") if spec is not None else None
    action: TierDefault = "Pass" if written == "Pass" else "Deny"
    if spec is not None and written is not None and written not in TIER_ACTIONS:
        same = [a for a in TIER_ACTIONS if a.lower() == written.lower()]
        hint = _('; write "{value}"').format(value=same[0]) if same else _("; a tier's default action can only drop "
                                                                          "or pass on")
        spec.at("defaultAction").error(_('must be Deny or Pass, not "{value}"{hint}').format(value=written, hint=hint))
    name = obj.meta.name
    fixed = FIXED_TIERS.get(name)
    if fixed is not None:
        _check_fixed_tier(obj, spec, fixed, order, action)
    elif name in OLD_BUILTIN_TIERS:
        obj.report.info(_("{name} was a built-in tier in Calico 3.29-3.31; in 3.32 it is an ordinary tier "
                          "(ClusterNetworkPolicy uses kube-admin and kube-baseline)").format(name=name), obj.root.line)
    return [Tier(name, order, action, builtin=fixed is not None, origin=obj.origin)]


def _check_fixed_tier(obj: Manifest, spec: Fields | None, fixed: Tier, order: float | None, action: str) -> None:
    """Calico 3.32's CEL rules pin the order and default action of its built-in tiers."""
    where = spec if spec is not None else obj.root
    if order != fixed.order:
        wanted = f"{fixed.order:,.0f}".replace(",", "")
        field = spec.get("order") if spec is not None else None
        if field is not None and order is not None:
            field.error(_("the built-in tier {tier} must have order {order} (Calico fixes it), not {written}").format(
                tier=fixed.name, order=wanted, written=f"{order:g}"))
        elif field is not None:
            field.error(_("the built-in tier {tier} must have order {order} (Calico fixes it)").format(
                tier=fixed.name, order=wanted))
        else:
            obj.report.error(_("the built-in tier {tier} must have order {order} (Calico fixes it); add order: "
                               "{order}").format(tier=fixed.name, order=wanted), where.line, "spec.order")
    if action != fixed.default_action:
        field = spec.get("defaultAction") if spec is not None else None
        if field is not None:
            field.error(_("the built-in tier {tier} must have defaultAction {action} (Calico fixes it)").format(
                tier=fixed.name, action=fixed.default_action))
        else:
            obj.report.error(_("the built-in tier {tier} must have defaultAction {action} (Calico fixes it); add "
                               "defaultAction: {action}").format(tier=fixed.name, action=fixed.default_action),
                             where.line, "spec.defaultAction")


@register(GROUP, "NetworkSet", ("v3",))
def load_network_set(obj: Manifest) -> list[NetworkSet]:
    """A NetworkSet: labelled CIDRs in a namespace, which rule selectors can match."""
    return _load_network_set(obj)


@register(GROUP, "GlobalNetworkSet", ("v3",), namespaced=False)
def load_global_network_set(obj: Manifest) -> list[NetworkSet]:
    """A GlobalNetworkSet: labelled CIDRs without a namespace."""
    return _load_network_set(obj)


def _load_network_set(obj: Manifest) -> list[NetworkSet]:
    spec = obj.spec({"nets"})
    nets: list[str] = []
    for text, item in (spec.get_str_list("nets") or []) if spec is not None else []:
        network, problems = validation.parse_network(text, bare_ip=True)
        item.invalid(problems)
        if network is None:
            continue
        if str(network) in nets:
            item.error(_("{network} is listed twice; nets must be distinct").format(network=network))
        nets.append(str(network))
    if NAMESPACE_LABEL in obj.meta.labels:
        label = obj.root.find("metadata", "labels", NAMESPACE_LABEL)
        if label is not None:
            label.error(_("{label} is set by Calico and may not be used as a label here").format(label=NAMESPACE_LABEL))
    meta = obj.meta
    return [NetworkSet(meta.name, meta.namespace, dict(meta.labels), tuple(nets), obj.origin)]


# -- kinds npkit accepts but does not model ----------------------------------------------


@register(GROUP, "HostEndpoint", ("v3",), namespaced=False, top_fields=WITH_STATUS)
def load_host_endpoint(obj: Manifest) -> list[object]:
    """A HostEndpoint: accepted, not modelled (npkit evaluates pods only)."""
    obj.spec(None)
    obj.report.warning(_("npkit does not model host endpoints; policies that select them are evaluated for pods only, "
                         "and this object is skipped"), obj.root.line)
    return []


@register(GROUP, "Profile", ("v3",), namespaced=False, top_fields=WITH_STATUS)
def load_profile(obj: Manifest) -> list[object]:
    """A Profile: accepted, not modelled (npkit applies Calico's default per-namespace profiles)."""
    obj.spec(None)
    obj.report.warning(_("npkit does not model Profile objects; it assumes Calico's generated profiles (allow all in "
                         "and out when no policy applies), and this object is skipped"), obj.root.line)
    return []
