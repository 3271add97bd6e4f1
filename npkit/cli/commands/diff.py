"""npkit diff: which connections a change of policies newly allows and newly denies.

Exit codes: 0 success (with --exit-code: 0 no change, 1 changes, like git diff), 2 bad
input or usage.
"""

from __future__ import annotations

import argparse
import json

from ...diff import before_and_after, compare, comparison_to_json, probe_ports, render_comparison
from ...errors import InputError
from ...i18n import messages
from ...loading import load
from ...model import Cluster, Diagnostic
from ..common import Subcommands, UsageError, add_dataplane, add_inputs, engines_for, parse_port, print_diagnostics

_ = messages("npkit-tools").gettext


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "diff",
        description=_("Compare OLD (-f) with NEW (--against) connection by connection over the loaded pods, "
                      "and explain each difference on both sides. Pods and namespaces may come from either "
                      "side; policies come from their own side (a policy missing from NEW is deleted)."))
    add_inputs(p)
    p.add_argument("--against", dest="new_files", action="extend", nargs="+", required=True, metavar="PATH",
                   help=_("the changed policies (files, directories or -), repeatable"))
    p.add_argument("--port", action="append", metavar="PORT[/PROTO]",
                   help=_("compare only these ports (repeatable; 53/UDP picks a protocol). Default: one port "
                          "for each range of ports the policies treat alike, over TCP and UDP, plus ICMP"))
    p.add_argument("--protocol", default="TCP", type=str.upper, help=_("protocol for ports without one (TCP)"))
    p.add_argument("--brief", action="store_true", help=_("list the changed connections without explanations"))
    p.add_argument("--exit-code", action="store_true", help=_("exit 1 when anything changed, like git diff"))
    p.add_argument("-o", "--output", choices=("text", "json"), default="text")
    add_dataplane(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if "-" in args.files and "-" in args.new_files:
        raise UsageError(_("only one side can be read from stdin (-)"))
    old, new = _load_sides(args)
    print_diagnostics(old.diagnostics + new.diagnostics, quiet=args.output == "json")
    before, after = before_and_after(old, new)
    if not before.pods:
        raise UsageError(_("no pods were loaded, so there is no connection to compare; add the pods with -f "
                           "(both sides share them)"))
    probes = [parse_port(p, args.protocol) for p in args.port] if args.port else probe_ports([before, after])
    old_engine, new_engine = engines_for(args, before, after)
    comparison = compare(old_engine, new_engine, probes)
    if args.output == "json":
        print(json.dumps(comparison_to_json(comparison), indent=2, ensure_ascii=False))
    else:
        print(render_comparison(comparison, explain=not args.brief))
    return 1 if args.exit_code and not comparison.equivalent else 0


def _load_sides(args: argparse.Namespace) -> tuple[Cluster, Cluster]:
    """OLD and NEW; when either has errors, the InputError carries those of both."""
    clusters: list[Cluster] = []
    problems: list[Diagnostic] = []
    for files in (args.files, args.new_files):
        try:
            clusters.append(load(*files))
        except InputError as e:
            problems.extend(e.diagnostics)
    if problems:
        raise InputError(problems)
    return clusters[0], clusters[1]
