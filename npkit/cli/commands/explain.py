"""npkit explain: why one connection is allowed or denied."""

from __future__ import annotations

import argparse
import json

from ...explain import render_verdict, verdict_to_json
from ...i18n import messages
from ...model import PROTOCOLS_WITH_PORTS
from ..common import Subcommands, UsageError, add_dataplane, add_inputs, engine_for, load_inputs, parse_port

_ = messages("npkit-tools").gettext


def register(sub: Subcommands) -> None:
    p = sub.add_parser("explain",
                       description=_("Follow one connection through both sides' policies, tier by tier, rule by "
                                     "rule."))
    add_inputs(p)
    p.add_argument("--from", dest="src", required=True, metavar="NS/POD|IP", help=_("source pod or address"))
    p.add_argument("--to", dest="dst", required=True, metavar="NS/POD|IP", help=_("destination pod or address"))
    p.add_argument("--port", default=None, metavar="PORT[/PROTO]", help=_("destination port (needed for TCP/UDP/SCTP)"))
    p.add_argument("--protocol", default="TCP", type=str.upper)
    p.add_argument("--icmp-type", type=int)
    p.add_argument("--icmp-code", type=int)
    p.add_argument("--http-method")
    p.add_argument("--http-path")
    p.add_argument("--brief", action="store_true", help=_("only each side's decision"))
    p.add_argument("-o", "--output", choices=("text", "json"), default="text")
    add_dataplane(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    port, protocol = parse_port(args.port, args.protocol) if args.port else (None, args.protocol)
    if port is None and protocol in PROTOCOLS_WITH_PORTS:
        raise UsageError(_("--port is required for {protocol}").format(protocol=protocol))
    cluster = load_inputs(args, quiet=args.output == "json")
    engine = engine_for(args, cluster)
    try:
        verdict = engine.verdict(args.src, args.dst, port, protocol, icmp_type=args.icmp_type,
                                 icmp_code=args.icmp_code, http_method=args.http_method, http_path=args.http_path)
    except KeyError as e:
        raise UsageError(e.args[0]) from None
    if args.output == "json":
        print(json.dumps(verdict_to_json(verdict), indent=2))
    else:
        print(render_verdict(verdict, verbose=not args.brief))
    return 0
