"""About the input itself."""

from __future__ import annotations

from collections.abc import Iterator

from ...i18n import N_, messages
from ..context import LintContext
from ..registry import Hit, lint_rule, ordered

_ = messages("npkit").gettext

@lint_rule("NP001", "no-pods", "info", N_("no pods were loaded, so the rules that look at pods were skipped"))
def no_pods(ctx: LintContext) -> Iterator[Hit]:
    if ctx.has_pods:
        return
    skipped = ", ".join(r.id for r in ordered() if r.needs_pods)
    yield Hit(_("no pods were loaded, so {rules} were skipped; the DNS and default-deny checks asked about a new, "
                "unlabelled pod in each namespace instead.").format(rules=skipped),
              _("load the pods (or Deployments) too, e.g. npkit lint -f pods.yaml -f policies.yaml"))
