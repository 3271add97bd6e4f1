"""npkit diff: which connections a change of policies newly allows and newly denies.

Exit codes: 0 success (with --exit-code: 0 no change, 1 changes, like git diff), 2 bad
input or usage.
"""

from __future__ import annotations

import argparse
import json
import sys

from ...diff import before_and_after, compare, comparison_to_json, probe_ports, render_comparison
from ...loading import load
from ..common import UsageError, add_dataplane, add_inputs, engines_for, parse_port


def register(sub) -> None:
    p = sub.add_parser(
        "diff", help="compare two sets of policies by the connections they allow",
        description="Compare OLD (-f) with NEW (--against) connection by connection over the loaded pods, "
                    "and explain each difference on both sides. Pods and namespaces may come from either "
                    "side; policies come from their own side (a policy missing from NEW is deleted).")
    add_inputs(p)
    p.add_argument("--against", dest="new_files", action="extend", nargs="+", required=True, metavar="PATH",
                   help="the changed policies (files, directories or -), repeatable")
    p.add_argument("--port", action="append", metavar="PORT[/PROTO]",
                   help="compare only these ports (repeatable; 53/UDP picks a protocol). Default: one port "
                        "for each range of ports the policies treat alike, over TCP and UDP, plus ICMP")
    p.add_argument("--protocol", default="TCP", type=str.upper, help="protocol for ports without one (TCP)")
    p.add_argument("--brief", action="store_true", help="list the changed connections without explanations")
    p.add_argument("--exit-code", action="store_true", help="exit 1 when anything changed, like git diff")
    p.add_argument("-o", "--output", choices=("text", "json"), default="text")
    add_dataplane(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if "-" in args.files and "-" in args.new_files:
        raise UsageError("only one side can be read from stdin (-)")
    quiet = args.output == "json"
    old, new = load(*args.files), load(*args.new_files)
    if not quiet:
        for d in old.diagnostics + new.diagnostics:
            print(str(d), file=sys.stderr)
    before, after = before_and_after(old, new)
    if not before.pods:
        raise UsageError("no pods were loaded, so there is no connection to compare; add the pods with -f "
                         "(both sides share them)")
    probes = [parse_port(p, args.protocol) for p in args.port] if args.port else probe_ports([before, after])
    comparison = compare(*engines_for(args, before, after), probes)
    if args.output == "json":
        print(json.dumps(comparison_to_json(comparison), indent=2, ensure_ascii=False))
    else:
        print(render_comparison(comparison, explain=not args.brief))
    return 1 if args.exit_code and not comparison.equivalent else 0
