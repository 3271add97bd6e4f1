"""Kubernetes `metav1.LabelSelector`: matching, vectorised masks, and the words explanations use.

Semantics follow apimachinery `labels.Requirement.Matches`: `matchLabels` AND
`matchExpressions`; `NotIn` and `DoesNotExist` match objects that lack the key; `{}` matches
everything.

>>> from npkit.model import LabelSelector, Requirement
>>> sel = LabelSelector.of({"role": "db"}, Requirement("env", "NotIn", ("prod",)))
>>> describe(sel)
'env notin (prod),role=db'
>>> matches(sel, {"role": "db"}), mismatch(sel, {"role": "db", "env": "prod"})
(True, "needs env notin (prod), but env is 'prod'")
>>> to_calico(sel)
"role == 'db' && env not in { 'prod' }"
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..i18n import messages
from ..model.k8s import LabelSelector, Requirement
from .index import LabelIndex

# One term of a selector: (key, operator, values); matchLabels entries use the operator "=".
_Term = tuple[str, str, tuple[str, ...]]
_OPERATORS = frozenset({"In", "NotIn", "Exists", "DoesNotExist"})
_ = messages("npkit").gettext


def _terms(sel: LabelSelector) -> list[_Term]:
    """matchLabels then matchExpressions, as uniform terms, in the order kubectl prints them."""
    terms: list[_Term] = [(k, "=", (v,)) for k, v in sel.match_labels]
    for r in sel.match_expressions:
        if r.operator not in _OPERATORS:  # the loader rejects these; never guess a meaning
            raise ValueError(_("unknown matchExpressions operator {operator} for key {key}").format(
                operator=repr(r.operator), key=repr(r.key)))
        terms.append((r.key, r.operator, tuple(r.values)))
    # apimachinery's Selector.Add sorts requirements by key; a stable sort keeps YAML order on ties.
    return sorted(terms, key=lambda t: t[0])


def _term_matches(term: _Term, labels: Mapping[str, str]) -> bool:
    key, op, values = term
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    if op == "NotIn":
        return key not in labels or labels[key] not in values
    return key in labels and labels[key] in values  # "=" and "In"


def _term_text(term: _Term) -> str:
    key, op, values = term
    if op == "=":
        return f"{key}={values[0]}"
    if op == "Exists":
        return key
    if op == "DoesNotExist":
        return f"!{key}"
    word = "in" if op == "In" else "notin"
    return f"{key} {word} ({','.join(sorted(values))})"


def matches(sel: LabelSelector, labels: Mapping[str, str]) -> bool:
    """Does `sel` select an object with these labels? `{}` selects everything.

    >>> matches(LabelSelector(), {})
    True
    """
    return all(_term_matches(t, labels) for t in _terms(sel))


def _term_mask(term: _Term, index: LabelIndex) -> np.ndarray:
    key, op, values = term
    if op == "Exists":
        return index.has(key)
    if op == "DoesNotExist":
        return ~index.has(key)
    if op == "NotIn":
        return ~index.one_of(key, values)
    if len(values) == 1:
        return index.eq(key, values[0])
    return index.one_of(key, values)


def mask(sel: LabelSelector, index: LabelIndex) -> np.ndarray:
    """`matches` for every object of `index` at once (a read-only bool array)."""

    def compute() -> np.ndarray:
        terms = _terms(sel)
        if not terms:
            return index.all()
        both: np.ndarray = np.logical_and.reduce([_term_mask(t, index) for t in terms])
        return both

    try:
        hash(sel)
    except TypeError:  # a hand-built selector holding lists is unhashable: just don't cache it
        out = compute()
        out.flags.writeable = False
        return out
    return index.cached(("k8s", sel), compute)


def describe(sel: LabelSelector) -> str:
    """kubectl's selector string (`kubectl describe` form): terms sorted by key, comma-joined.

    `role=frontend`, `app in (api,web)`, `app notin (x)`, `tier` (Exists), `!tier`
    (DoesNotExist); values inside parentheses are sorted, as apimachinery prints them.

    >>> describe(LabelSelector())
    '{} (everything)'
    >>> describe(LabelSelector.of({"role": "frontend"}, Requirement("app", "In", ("web", "api"))))
    'app in (api,web),role=frontend'
    """
    terms = _terms(sel)
    if not terms:
        return _("{} (everything)")
    return ",".join(_term_text(t) for t in terms)


def mismatch(sel: LabelSelector, labels: Mapping[str, str]) -> str | None:
    """None if `sel` matches, else why not, naming the first failing term (in `describe` order).

    >>> mismatch(LabelSelector.of({"role": "frontend"}), {"role": "backend"})
    "needs role=frontend, but role is 'backend'"
    >>> mismatch(LabelSelector.of({"role": "frontend"}), {})
    'needs label role=frontend, which it does not have'
    """
    for term in _terms(sel):
        if _term_matches(term, labels):
            continue
        key, op, _values = term
        text = _term_text(term)
        if op == "DoesNotExist":
            return _("needs no {key} label ({term}), but {key} is {value}").format(key=key, term=text,
                                                                                  value=repr(labels[key]))
        if key not in labels:  # only "=", In and Exists fail on an absent key
            if op == "In":
                return _("needs {term}, but it has no {key} label").format(term=text, key=key)
            return _("needs label {term}, which it does not have").format(term=text)
        return _("needs {term}, but {key} is {value}").format(term=text, key=key, value=repr(labels[key]))
    return None


def _quoted_set(values: tuple[str, ...]) -> str:
    # The converter writes `{ 'a', 'b' }` in YAML order; an empty list (which the API rejects)
    # would come out as `{ '' }` there, so spell the empty set as `{}` to keep the meaning.
    return "{ '" + "', '".join(values) + "' }" if values else "{}"


def to_calico(sel: LabelSelector, *, pod_selector: bool = False) -> str:
    """The Calico selector Calico's K8s converter writes for `sel` (`k8sSelectorToCalico`).

    matchLabels (sorted by key) as `k == 'v'`, then expressions in YAML order as
    `k in { 'a', 'b' }`, `k not in { 'a' }`, `has(k)`, `! has(k)`, joined with ` && `; `{}`
    is `all()`. With `pod_selector=True`, the converter's leading
    `projectcalico.org/orchestrator == 'k8s'` term is included, as for a podSelector.

    >>> to_calico(LabelSelector())
    'all()'
    >>> to_calico(LabelSelector(), pod_selector=True)
    "projectcalico.org/orchestrator == 'k8s'"
    >>> to_calico(LabelSelector.of({}, Requirement("a", "Exists"), Requirement("b", "DoesNotExist")))
    'has(a) && ! has(b)'
    """
    parts = ["projectcalico.org/orchestrator == 'k8s'"] if pod_selector else []
    parts += [f"{k} == '{v}'" for k, v in sorted(sel.match_labels)]
    for r in sel.match_expressions:
        parts.append(_expression_to_calico(r))
    return " && ".join(parts) if parts else "all()"


def _expression_to_calico(r: Requirement) -> str:
    if r.operator == "In":
        return f"{r.key} in {_quoted_set(tuple(r.values))}"
    if r.operator == "NotIn":
        return f"{r.key} not in {_quoted_set(tuple(r.values))}"
    if r.operator == "Exists":
        return f"has({r.key})"
    if r.operator == "DoesNotExist":
        return f"! has({r.key})"
    raise ValueError(_("unknown matchExpressions operator {operator} for key {key}").format(
        operator=repr(r.operator), key=repr(r.key)))
