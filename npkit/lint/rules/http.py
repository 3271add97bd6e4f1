"""Calico `http` matches: enforced only with Istio and Calico's Dikastes (ingress only; the loader
rejects them on egress rules)."""

from __future__ import annotations

from collections.abc import Iterator

from ...i18n import N_, messages
from ...model import HTTPMatch
from ..context import LintContext
from ..registry import Hit, lint_rule

_ = messages("npkit").gettext
pgettext = messages("npkit").pgettext

def _what(http: HTTPMatch) -> str:
    parts = []
    if http.methods:
        parts.append(_("methods {methods}").format(methods=", ".join(http.methods)))
    if http.paths:
        parts.append(_("paths {paths}").format(paths=", ".join(f"{p.kind} {p.value}" for p in http.paths)))
    return pgettext("conditions", " and ").join(parts) or _("any request")


@lint_rule("NP501", "http-l4-only", "warning",
           N_("an `http` match does nothing without Istio + Dikastes: the rule acts at L4"))
def http_l4_only(ctx: LintContext) -> Iterator[Hit]:
    if ctx.l7:
        return  # the user says Istio + Dikastes enforce it (the loader keeps http to ingress)
    for policy in ctx.cluster.calico_policies:
        if ctx.compiled(policy) is None:
            continue  # the dataplane ignores Calico policies (the engine's note says so)
        for key in ("ingress", "egress"):
            for r, rule in enumerate(getattr(policy, key)):
                if rule.http is None:
                    continue
                path = f"spec.{key}[{r}].http"
                if rule.action == "Allow":  # the loader keeps http matches to Allow rules
                    template = _("{path} ({what}) is ignored by Felix: HTTP matching needs Istio with Calico's "
                                 "Dikastes. Without them this rule is an L4 rule and allows every method and path "
                                 "from the sources it matches.")
                else:
                    template = _("{path} ({what}) is ignored by Felix: HTTP matching needs Istio with Calico's "
                                 "Dikastes. Without them this rule is an L4 rule, and its {action} applies to every "
                                 "method and path from the sources it matches.")
                message = template.format(path=path, what=_what(rule.http), action=rule.action)
                fix = _("install Istio with Dikastes (then evaluate with --l7), or drop the http match and "
                        "restrict by source and port, which Felix does enforce")
                yield Hit(message, fix, policy, path)
