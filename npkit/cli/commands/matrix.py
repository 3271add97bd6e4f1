"""npkit matrix: who can connect to whom, for one or more ports."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ...matrix import reachability_many, render_table
from ...model import Cluster
from ..common import add_dataplane, add_inputs, engine_for, load_inputs, parse_port


def register(sub: Any) -> None:  # main._Subcommand: add_parser with the command's help line
    p = sub.add_parser("matrix",
                       description="Which pod may open a new connection to which (rows: source, columns: destination).")
    add_inputs(p)
    p.add_argument("--port", action="append", metavar="PORT[/PROTO]",
                   help="destination port, repeatable; 53/UDP picks a protocol per port (default 80)")
    p.add_argument("--protocol", default="TCP", type=str.upper, help="protocol for ports without one (default TCP)")
    p.add_argument("-o", "--output", choices=("table", "json"), default="table")
    add_dataplane(p)
    p.set_defaults(run=run)


def assigned_ips(cluster: Cluster) -> dict[str, str]:
    return {p.key: p.ip for p in cluster.pods if p.ip_assigned}


def run(args: argparse.Namespace) -> int:
    probes = [parse_port(p, args.protocol) for p in (args.port or ["80"])]
    cluster = load_inputs(args, quiet=args.output == "json")
    engine = engine_for(args, cluster)
    matrices = reachability_many(engine, probes)
    if args.output == "json":
        docs = [m.to_json() for m in matrices]
        ips = assigned_ips(cluster)
        for d in docs:
            d["dataplane"] = args.dataplane
            if ips:
                d["assigned_ips"] = ips
        print(json.dumps(docs[0] if len(docs) == 1 else {"probes": docs}, indent=2))
        return 0
    print("\n\n".join(render_table(m) for m in matrices))
    return 0
