"""npkit matrix: who can connect to whom, for one or more ports."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ...i18n import messages
from ...model import Cluster
from ..common import UsageError, add_dataplane, add_inputs, engine_for, load_inputs, parse_port

_ = messages("npkit-tools").gettext


def register(sub: Any) -> None:  # main._Subcommand: add_parser with the command's help line
    p = sub.add_parser("matrix",
                       description=_("Which pod may open a new connection to which (rows: source, columns: "
                                     "destination). JSON is written as it is computed, row by row."))
    add_inputs(p)
    p.add_argument("--port", action="append", metavar="PORT[/PROTO]",
                   help=_("destination port, repeatable; 53/UDP picks a protocol per port (default 80)"))
    p.add_argument("--protocol", default="TCP", type=str.upper, help=_("protocol for ports without one (default TCP)"))
    p.add_argument("--from", dest="sources", action="append", metavar="NS/POD",
                   help=_("only these sources (rows), repeatable: one pod's view of a big cluster"))
    p.add_argument("--to", dest="destinations", action="append", metavar="NS/POD",
                   help=_("only these destinations (columns), repeatable"))
    p.add_argument("-o", "--output", choices=("table", "json"), default="table")
    add_dataplane(p)
    p.set_defaults(run=run)


def assigned_ips(cluster: Cluster) -> dict[str, str]:
    return {p.key: p.ip for p in cluster.pods if p.ip_assigned}


def _indices(option: str, wanted: list[str] | None, pods: tuple[str, ...]) -> list[int] | None:
    """Positions of the pods `wanted` names (None: every pod); a name that is no pod is a usage error."""
    if not wanted:
        return None
    position = {p: i for i, p in enumerate(pods)}
    for name in wanted:
        if name not in position:
            close = [p for p in pods if p.split("/")[-1] == name.split("/")[-1]][:5]
            if close:
                raise UsageError(_("{option} {name} is not a loaded pod; did you mean {close}?").format(
                    option=option, name=repr(name), close=", ".join(close)))
            raise UsageError(_("{option} {name} is not a loaded pod (give it as NAMESPACE/NAME)").format(
                option=option, name=repr(name)))
    return [position[name] for name in dict.fromkeys(wanted)]


def run(args: argparse.Namespace) -> int:
    from ...matrix import reachability_many, table_lines
    from ...matrix.stream import write_json

    probes = [parse_port(p, args.protocol) for p in (args.port or ["80"])]
    cluster = load_inputs(args, quiet=args.output == "json")
    engine = engine_for(args, cluster)
    rows = _indices("--from", args.sources, engine.pods)
    cols = _indices("--to", args.destinations, engine.pods)
    matrices = reachability_many(engine, probes)
    if args.output == "json":
        extra: dict[str, object] = {"dataplane": args.dataplane}
        ips = assigned_ips(cluster)
        if ips:
            extra["assigned_ips"] = ips
        write_json(matrices, sys.stdout.write, extra, rows, cols)
        return 0
    for n, matrix in enumerate(matrices):
        sys.stdout.write("\n" if n else "")
        for line in table_lines(matrix, rows=rows, cols=cols):
            sys.stdout.write(line + "\n")
    return 0
