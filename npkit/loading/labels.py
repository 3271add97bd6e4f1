"""Label maps and Kubernetes label selectors (metav1.LabelSelector), read and validated.

Shared by every kind that carries labels or selects by them: Pods, Namespaces,
NetworkPolicy, and the ClusterNetworkPolicy subjects and peers.
"""

from __future__ import annotations

from functools import lru_cache

from npkit.i18n import messages
from npkit.model import LabelSelector, Requirement
from npkit.model.k8s import Operator

from . import validation
from .fields import Field, Fields
from .yamlio import Mapping, Node, Scalar

SELECTOR_FIELDS = frozenset({"matchLabels", "matchExpressions"})
REQUIREMENT_FIELDS = frozenset({"key", "operator", "values"})
OPERATORS: dict[str, Operator] = {"In": "In", "NotIn": "NotIn", "Exists": "Exists", "DoesNotExist": "DoesNotExist"}
_ = messages("npkit").gettext


def read_labels(field: Field | None) -> dict[str, str]:
    """A label map (`metadata.labels`, `matchLabels`): valid keys and values, others reported."""
    if field is None:
        return {}
    valid = usual_labels(field.node)
    if valid is not None:
        return valid
    entries = field.as_str_map()
    if entries is None:
        return {}
    labels: dict[str, str] = {}
    for key, value_field in entries.items():
        value = value_field.as_str() or ""  # as_str_map checked it is a string
        bad_key = value_field.invalid(validation.label_key(key), key)
        bad_value = value_field.invalid(validation.label_value(value), value)
        if not (bad_key or bad_value):
            labels[key] = value
    return labels


def usual_labels(node: Node) -> dict[str, str] | None:
    """The labels of a label map whose every key and value is valid (the usual case), read without
    making a Field per label; None when anything is off, so that read_labels reads and reports it."""
    if type(node) is not Mapping:
        return None
    labels: dict[str, str] = {}
    for key, (_line, value) in node.entries.items():
        if type(value) is not Scalar or type(value.value) is not str:
            return None
        if not _valid_label(key, value.value):
            return None
        labels[key] = value.value
    return labels


@lru_cache(maxsize=4096)
def _valid_label(key: str, value: str) -> bool:
    """Whether `key: value` is a valid label (remembered: the objects of a cluster repeat a few labels)."""
    return not (validation.label_key(key) or validation.label_value(value))


def read_label_selector(field: Field | None) -> LabelSelector | None:
    """A metav1.LabelSelector, or None when the field is absent (null counts as absent).

    `{}` gives `LabelSelector()`, which matches everything.
    """
    if field is None:
        return None
    fields = field.as_map(SELECTOR_FIELDS)
    if fields is None:
        return None
    match_labels = read_labels(fields.get("matchLabels"))
    requirements = []
    for item in fields.get_list("matchExpressions") or ():
        requirement = _read_requirement(item)
        if requirement is not None:
            requirements.append(requirement)
    return LabelSelector(tuple(sorted(match_labels.items())), tuple(requirements))


def _read_requirement(item: Field) -> Requirement | None:
    report = item.report
    errors_before = report.error_count
    fields = item.as_map(REQUIREMENT_FIELDS)
    if fields is None:
        return None
    key = fields.get_str("key", required=True)
    if key is not None:
        fields.at("key").invalid(validation.label_key(key))
    values = fields.get_str_list("values") or []
    for value, value_field in values:
        value_field.invalid(validation.label_value(value), value)
    operator = fields.get_str("operator", required=True)
    if operator is not None:
        _check_operator(fields, operator, bool(values))
    if report.error_count > errors_before or key is None or operator is None:
        return None
    return Requirement(key, OPERATORS[operator], tuple(v for v, _ in values))


def _check_operator(fields: Fields, operator: str, has_values: bool) -> None:
    if operator not in OPERATORS:
        same = [o for o in OPERATORS if o.lower() == operator.lower()]
        hint = _('; write "{operator}" (operators are case-sensitive)').format(operator=same[0]) if same else ""
        fields.at("operator").error(
            _('must be one of In, NotIn, Exists, DoesNotExist, not "{operator}"{hint}').format(operator=operator,
                                                                                             hint=hint))
    elif operator in ("In", "NotIn") and not has_values:
        why = _("; operator {operator} needs at least one value").format(operator=operator)
        values_field = fields.get("values")
        if values_field is None:
            fields.missing("values", why)
        else:
            values_field.error(_("must list at least one value{why}").format(why=why))
    elif operator in ("Exists", "DoesNotExist") and has_values:
        fields.at("values").error(
            _("must be empty when operator is {operator}: it only tests whether the key is there").format(
                operator=operator))
