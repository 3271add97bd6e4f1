"""About the input itself."""

from __future__ import annotations

from collections.abc import Iterator

from ..context import LintContext
from ..registry import Hit, lint_rule, ordered


@lint_rule("NP001", "no-pods", "info", "no pods were loaded, so the rules that look at pods were skipped")
def no_pods(ctx: LintContext) -> Iterator[Hit]:
    if ctx.has_pods:
        return
    skipped = ", ".join(r.id for r in ordered() if r.needs_pods)
    yield Hit(f"no pods were loaded, so {skipped} were skipped; the DNS and default-deny checks asked about a "
              "new, unlabelled pod in each namespace instead.",
              "load the pods (or Deployments) too, e.g. npkit lint -f pods.yaml -f policies.yaml")
