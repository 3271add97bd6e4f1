"""npkit lab: the lab cluster (up, down, status), checking the evaluator on it (run), and
looking inside (rules, clean)."""

from __future__ import annotations

import argparse
import functools
import json
import sys
from dataclasses import replace

from ...cluster.kind import CNIS, DEFAULT_NAME
from ...lab.backend import LabError
from ...lab.progress import TerminalProgress
from ...lab.select import backend_names, choose_backend, create_backend
from ...lab.session import LabSession
from ..common import UsageError, add_inputs, load_inputs, parse_port

RUN_LAB_ID = "npkit-run"


def _target(p: argparse.ArgumentParser, backend_default: str | None) -> None:
    p.add_argument("--backend", choices=backend_names(), default=backend_default,
                   help="lab backend" + (f" (default {backend_default})" if backend_default else
                                         " (default: chosen automatically, or NPKIT_LAB_BACKEND)"))
    p.add_argument("--name", help=f"kind cluster name (default {DEFAULT_NAME}; kind backend only)")
    p.add_argument("--context", dest="allow_context", metavar="CONTEXT",
                   help="allow changes through this kube context although it is not the lab's kind-NAME "
                        "context (kind backend only; use with care: never a production cluster)")


def register(sub) -> None:
    p = sub.add_parser("lab", help="hands-on labs on a real cluster: up, down, status, run, rules, clean",
                       description="Create the kind lab cluster, run scenarios on it and compare what really "
                                   "connects with what npkit predicts.")
    lab = p.add_subparsers(dest="lab_command", required=True, metavar="ACTION")

    up = lab.add_parser("up", help="create the kind cluster and install Calico (or use kindnet)",
                        description="Preflight, create the kind cluster, install Calico with the operator, wait "
                                    "until nodes are Ready and Calico is Available, check the projectcalico.org/v3 "
                                    "API. Reuses an existing cluster. Takes several minutes the first time.")
    up.add_argument("--cni", choices=CNIS, default="calico",
                    help="calico (default; labs 3-4 need it) or kindnet (kind's CNI: Kubernetes policy only)")
    _target(up, "kind")
    up.set_defaults(run=_lab_errors_are_usage(run_up))

    down = lab.add_parser("down", help="delete the lab cluster (safe to repeat)")
    _target(down, "kind")
    down.set_defaults(run=_lab_errors_are_usage(run_down))

    status = lab.add_parser("status", help="what is installed, running and ready")
    _target(status, "kind")
    status.set_defaults(run=_lab_errors_are_usage(run_status))

    run = lab.add_parser("run", help="deploy a scenario and its policies, probe, print the observed matrix",
                         description="Deploy the namespaces and pods of the input as agnhost servers, apply its "
                                     "policies, probe every pair, print the OBSERVED matrix (the JSON shape of "
                                     "`npkit matrix -o json`, plus `mismatches` against npkit's prediction), "
                                     "then clean up. Exit code 0 even with mismatches: read `mismatches`.")
    add_inputs(run)
    run.add_argument("--port", action="append", metavar="PORT[/PROTO]", help="port to probe, repeatable (default 80)")
    run.add_argument("--protocol", default="TCP", type=str.upper, help="protocol for ports without one (default TCP)")
    run.add_argument("-o", "--output", choices=("table", "json"), default="table")
    run.add_argument("--lab-id", default=RUN_LAB_ID,
                     help=f"label value for what the run creates (default {RUN_LAB_ID})")
    run.add_argument("--timeout", type=float, default=1.0, help="seconds per probe (default 1)")
    run.add_argument("--workers", type=int, default=8, help="parallel probes (default 8)")
    run.add_argument("--no-canary", action="store_true", help="skip the enforcement canary")
    run.add_argument("--keep", action="store_true", help="leave the scenario deployed (clean later with `lab clean`)")
    _target(run, None)
    run.set_defaults(run=_lab_errors_are_usage(run_run))

    rules = lab.add_parser("rules", help="the packet-filter rules the dataplane generated for a pod")
    rules.add_argument("pod", metavar="NS/POD")
    rules.add_argument("--lab-id", default=RUN_LAB_ID)
    _target(rules, None)
    rules.set_defaults(run=_lab_errors_are_usage(run_rules))

    clean = lab.add_parser("clean", help="remove what a lab created (its labelled namespaces and objects)")
    clean.add_argument("--lab-id", default=RUN_LAB_ID, help=f"which lab's objects (default {RUN_LAB_ID})")
    _target(clean, None)
    clean.set_defaults(run=_lab_errors_are_usage(run_clean))


def _lab_errors_are_usage(action):
    """A lab step that fails in a way the learner can act on (LabError, also during clean-up) exits 2 with
    its message, like any other bad input; only real bugs are internal errors."""
    @functools.wraps(action)
    def run(args: argparse.Namespace) -> int:
        try:
            return action(args)
        except LabError as e:
            raise UsageError(str(e)) from None
    return run


def _options(args: argparse.Namespace, **extra) -> dict:
    return {"cluster": args.name, "allow_context": args.allow_context,
            "lab_id": getattr(args, "lab_id", None), **extra}


def _backend(args: argparse.Namespace, **extra):
    if args.backend:
        return create_backend(args.backend, **_options(args, **extra))
    choice = choose_backend(**_options(args, **extra))
    print(choice.banner(), file=sys.stderr)
    return choice.backend


def _observing(args: argparse.Namespace):
    backend = _backend(args)
    if not backend.observes:
        raise UsageError(f"the {backend.name} backend observes nothing ({backend.describe()}); "
                         "start the lab cluster with `npkit lab up`, or use `npkit matrix` for predictions")
    problems = backend.usable() if args.backend else []  # choose_backend picks only a usable one
    if problems:
        raise UsageError(f"the {backend.name} backend cannot run here:\n- " + "\n- ".join(problems))
    return backend


def run_up(args: argparse.Namespace) -> int:
    backend = _backend(args, cni=args.cni)
    progress = TerminalProgress(sys.stderr)
    try:
        backend.up(progress)
    finally:
        progress.close()
    print(backend.status())
    return 0


def run_down(args: argparse.Namespace) -> int:
    _backend(args).down(TerminalProgress(sys.stderr))
    return 0


def run_status(args: argparse.Namespace) -> int:
    print(_backend(args).status())
    return 0


def run_rules(args: argparse.Namespace) -> int:
    print(_observing(args).rules(args.pod))
    return 0


def run_clean(args: argparse.Namespace) -> int:
    _observing(args).teardown(TerminalProgress(sys.stderr))
    print(f"lab {args.lab_id}: nothing of it is left on the cluster")
    return 0


def run_run(args: argparse.Namespace) -> int:
    probes = [parse_port(p, args.protocol) for p in (args.port or ["80"])]
    if any(port is None for port, _ in probes):
        raise UsageError("agnhost probes TCP, UDP and SCTP ports only; give --port numbers")
    if args.workers < 1 or args.timeout <= 0:
        raise UsageError("--workers must be at least 1 and --timeout positive")
    loaded = load_inputs(args, quiet=args.output == "json")
    scenario = replace(loaded.with_policies(()), tiers={t.name: t for t in loaded.tiers.values() if t.builtin})
    if not scenario.pods:
        raise UsageError("the input has no pods: `lab run` needs the scenario's namespaces and pods too")
    backend = _observing(args)
    progress = TerminalProgress(sys.stderr)
    session = LabSession(args.lab_id, scenario, backend, progress=progress, show_banner=False,
                         timeout=args.timeout, workers=args.workers)
    out = sys.stdout
    sys.stdout = sys.stderr  # the session's own messages are progress, not the result
    try:
        if not args.no_canary:
            session.canary()
        session.deploy()
        session.apply(loaded)
        comparisons = [session.check(port, proto) for port, proto in probes]
    finally:
        try:
            if not args.keep:
                session.teardown()
            else:
                session.keep()
        finally:
            sys.stdout = out
            progress.close()
    if args.output == "json":
        docs = [c.to_json() for c in comparisons]
        print(json.dumps(docs[0] if len(docs) == 1 else {"probes": docs}, indent=2))
    else:
        print("\n\n".join(c.render_text() for c in comparisons))
    return 0
