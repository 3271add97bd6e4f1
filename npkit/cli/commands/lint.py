"""npkit lint: what is wrong with a set of policies, and how to fix it.

Exit codes: 0 no error-level finding (warnings and info allowed), 1 at least one
error-level finding, 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import json

from ...i18n import messages
from ...lint import lint, rules_table
from ..common import Subcommands, UsageError, add_dataplane, add_inputs, load_inputs, print_notes

_ = messages("npkit-tools").gettext


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "lint",
        description=_("Check NetworkPolicies, Calico policies and ClusterNetworkPolicies against the loaded "
                      "pods: each finding has a rule id, severity, object, field path, line, message and fix. "
                      "Exit code 1 when a finding has severity error."))
    add_inputs(p, required=False)
    p.add_argument("-o", "--output", choices=("text", "json"), default="text")
    p.add_argument("--ignore", action="extend", nargs="+", default=[], metavar="RULE",
                   help=_("skip these rules (ids like NP901 or names like naming); repeatable"))
    p.add_argument("--list-rules", action="store_true", help=_("list every rule and exit"))
    add_dataplane(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.list_rules:
        print(rules_table())
        return 0
    if not args.files:
        raise UsageError(_("give the policies (and pods) to check with -f PATH"))
    cluster = load_inputs(args, quiet=args.output == "json")
    try:
        findings = lint(cluster, args.dataplane, args.l7, ignore=args.ignore)
    except ValueError as e:  # an unknown rule in --ignore
        raise UsageError(str(e)) from None
    if args.output == "json":
        print(json.dumps(findings.to_json(), indent=2, ensure_ascii=False))
    else:
        print_notes(findings.notes)
        print(findings)
    return 1 if findings.errors else 0
