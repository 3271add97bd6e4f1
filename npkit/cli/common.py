"""What every subcommand shares: reading inputs, choosing a dataplane, printing diagnostics."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import Any, Protocol

from ..engine import DATAPLANES, VIEWS, Engine, protocol_name
from ..errors import UsageError
from ..i18n import messages
from ..loading import load
from ..model import Cluster, Diagnostic

_ = messages("npkit-tools").gettext

__all__ = ["Subcommands", "UsageError", "add_dataplane", "add_inputs", "engine_for", "engines_for", "load_inputs",
           "parse_port", "print_diagnostics", "print_notes"]


class Subcommands(Protocol):
    """What a command module's `register` is given: `add_parser(name, **options)` (main adds the help line)."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


def add_inputs(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument("-f", "--filename", dest="files", action="extend", nargs="+", required=required,
                   metavar="PATH", help=_("YAML file, directory of *.yaml/*.yml, or - for stdin (repeatable)"))


def add_dataplane(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataplane", choices=DATAPLANES, default="calico",
                   help=_("calico: everything Calico enforces (default); kubernetes: NetworkPolicy and "
                          "ClusterNetworkPolicy only, as kube-network-policies enforces them (kind's kindnet "
                          "enforces NetworkPolicy alone)"))
    p.add_argument("--l7", action="store_true",
                   help=_("enforce Calico http matches (as with Istio + Dikastes); off by default, like Felix"))
    p.add_argument("--view", choices=VIEWS, default="auto",
                   help=_("the words of explanations: kubernetes (isolated, allowed by a policy's rule), calico "
                          "(tiers, orders, namespace profiles), or auto (default): calico when Calico objects are "
                          "loaded on the calico dataplane, kubernetes otherwise; the verdicts are the same"))


def load_inputs(args: argparse.Namespace, quiet: bool = False) -> Cluster:
    """Load -f inputs and print their diagnostics on stderr (see print_diagnostics for `quiet`)."""
    cluster = load(*args.files)
    print_diagnostics(cluster.diagnostics, quiet)
    return cluster


def print_diagnostics(diagnostics: Iterable[Diagnostic], quiet: bool = False) -> None:
    """Warnings on stderr in every output mode, as kubectl prints them; `quiet` (JSON output) leaves out
    the info lines, whose facts the JSON document carries."""
    for d in diagnostics:
        if not (quiet and d.severity == "info"):
            print(str(d), file=sys.stderr)


def print_notes(notes: Iterable[str]) -> None:
    """Each note once, on stderr, in the order first seen."""
    for note in dict.fromkeys(notes):
        print(_("note: {note}").format(note=note), file=sys.stderr)


def engines_for(args: argparse.Namespace, *clusters: Cluster) -> tuple[Engine, ...]:
    """An engine per cluster for the chosen dataplane; their notes are printed once."""
    engines = tuple(Engine(c, args.dataplane, getattr(args, "l7", False), getattr(args, "view", "auto"))
                    for c in clusters)
    print_notes(n for e in engines for n in e.notes)
    return engines


def engine_for(args: argparse.Namespace, cluster: Cluster) -> Engine:
    """The engine for one cluster (see engines_for)."""
    return engines_for(args, cluster)[0]


def parse_port(text: str, default_protocol: str) -> tuple[int | None, str]:
    """`80`, `53/UDP` or `ICMP` → (port, protocol)."""
    port, _slash, proto = text.partition("/")
    if not port.isdigit():
        if port.upper() in ("ICMP", "ICMPV6"):
            return None, protocol_name(port)
        raise UsageError(_("--port {value}: expected a number like 80, or 53/UDP").format(value=repr(text)))
    number = int(port)
    if not 1 <= number <= 65535:
        raise UsageError(_("--port {value}: ports run from 1 to 65535").format(value=repr(text)))
    return number, (proto or default_protocol).upper()
