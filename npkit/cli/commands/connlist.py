"""npkit connlist: every connection the policies allow, over all protocols and ports at once."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from ...i18n import messages
from ..common import UsageError, add_dataplane, add_inputs, engine_for, load_inputs

if TYPE_CHECKING:
    from ...connlist import ConnList

_ = messages("npkit-tools").gettext

FORMATS = ("txt", "csv", "md", "json", "dot", "svg")  # the first five are npkit.connlist.FORMATS


def register(sub: Any) -> None:  # main._Subcommand: add_parser with the command's help line
    p = sub.add_parser(
        "connlist",
        description=_("List every connection the policies allow between workloads (or pods) and the address "
                      "ranges the policies name, over all protocols and ports, in np-guard netpol-analyzer's "
                      "format: 'src => dst : TCP 80,UDP 53' or 'All Connections'."))
    add_inputs(p)
    p.add_argument("-o", "--output", choices=FORMATS, default="txt",
                   help=_("txt (default), csv, md, json, dot (Graphviz text) or svg (drawn by Graphviz's dot "
                          "when installed, else its DOT text)"))
    p.add_argument("--group", choices=("workloads", "pods"), default="workloads",
                   help=_("workloads: a Deployment's pods as ns/name[Deployment], a bare pod as ns/name[Pod] "
                          "(default); pods: every pod as ns/name"))
    p.add_argument("--focus", action="append", metavar="NS/NAME",
                   help=_("only connections from or to this workload or pod (NS/NAME or NAME; repeatable)"))
    p.add_argument("--compact", action="store_true",
                   help=_("one line per group of sources with the same destinations and connections "
                          "('a, b => c, d : TCP 80') instead of one line per pair"))
    add_dataplane(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ...connlist import WRITERS, connlist

    cluster = load_inputs(args, quiet=args.output == "json")
    engine = engine_for(args, cluster)
    result = connlist(engine, args.group, _progress if sys.stderr.isatty() else None)
    if args.focus:
        missing = result.focus_on(args.focus)
        if missing:
            raise UsageError(_("--focus {value} names no workload or pod; known: {known}").format(
                value=repr(missing[0]), known=", ".join(result.entity_names()[:8])))
    if args.output == "svg":
        return _svg(result, args.compact)
    WRITERS[args.output](result, sys.stdout.write, args.compact)
    return 0


def _progress(done: int, total: int) -> None:
    """On a terminal, how many kinds of traffic are answered (a 10,000-pod cluster takes a while)."""
    end = "\n" if done + 1 == total else ""
    print("\r" + _("npkit connlist: kind of traffic {n} of {total}").format(n=done + 1, total=total), end=end,
          file=sys.stderr, flush=True)


def _svg(result: ConnList, compact: bool) -> int:
    import shutil
    import subprocess

    from ...connlist import render

    dot_text = render(result, "dot", compact)
    graphviz = shutil.which("dot")
    if graphviz is None:
        print(_("note: Graphviz is not installed (apt install graphviz), so this is the graph as DOT text; "
                "`dot -Tsvg` draws it"), file=sys.stderr)
        sys.stdout.write(dot_text)
        return 0
    sys.stdout.flush()
    done = subprocess.run([graphviz, "-Tsvg"], input=dot_text.encode(), stdout=sys.stdout.buffer,
                          stderr=subprocess.PIPE, check=False)
    if done.returncode != 0:
        raise UsageError(_("Graphviz could not draw the graph: {reason}").format(
            reason=done.stderr.decode(errors="replace").strip()))
    return 0
