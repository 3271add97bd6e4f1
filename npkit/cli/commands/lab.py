"""npkit lab: the lab cluster (up, down, status), checking the evaluator on it (run), and
looking inside (rules, clean).

This command is where the lab layer's words go (stdout for results, stderr for progress,
messages and notes) and it owns the process: SIGTERM and SIGHUP end a run through its
clean-up, like Ctrl-C. The local backend runs only when named (`--backend local` or
NPKIT_LAB_BACKEND=local): it creates network namespaces and nftables rules on this machine.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from types import FrameType
from typing import Any

from ...cluster.guard import UnsafeTarget
from ...cluster.kind import CNIS, DEFAULT_NAME, KindError
from ...cluster.kube import KubeError
from ...cluster.readiness import Timeout
from ...i18n import N_, messages
from ...lab.backend import LabBackend, LabConfigError, LabError
from ...lab.compare import LabComparison
from ...lab.progress import TerminalProgress
from ...lab.provenance import provenance
from ...lab.select import backend_names, choose_backend, create_backend
from ...lab.session import LabSession, add_note, with_lab_labels
from ...matrix import reachability
from ..common import UsageError, add_inputs, engine_for, load_inputs, parse_port
from ..localized import localized

_ = messages("npkit-tools").gettext

RUN_LAB_ID = "npkit-run"
# Failures of the environment a lab runs in (not of npkit, not of the input): reported with their message.
ENVIRONMENT_ERRORS: tuple[type[BaseException], ...] = (LabError, KubeError, UnsafeTarget, Timeout, KindError, OSError)
Action = Callable[[argparse.Namespace], int]


def _target(p: argparse.ArgumentParser, backend_default: str | None) -> None:
    p.add_argument("--backend", choices=backend_names(), default=backend_default,
                   help=_("lab backend (default {backend})").format(backend=backend_default) if backend_default else
                   _("lab backend (default: the kind lab cluster if it is reachable, else prediction only; "
                     "`local` creates network namespaces and nftables rules on this machine, "
                     "as root, and runs only when named here or in NPKIT_LAB_BACKEND)"))
    p.add_argument("--name", help=_("kind cluster name (default {name}; kind backend only)").format(name=DEFAULT_NAME))
    p.add_argument("--context", dest="allow_context", metavar="CONTEXT",
                   help=_("allow changes through this kube context although it is not the lab's kind-NAME "
                          "context (kind backend only; use with care: never a production cluster)"))


def register(sub: Any) -> None:
    p = sub.add_parser("lab", description=_("Create the kind lab cluster, run scenarios on it and compare what "
                                            "really connects with what npkit predicts."))
    lab = p.add_subparsers(dest="lab_command", required=True, metavar="ACTION")

    def action(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return localized(lab.add_parser(name, **kwargs))  # argparse's headings in the user's language too

    up = action("up", help=_("create the kind cluster and install Calico (or use kindnet)"),
                description=_("Preflight, create the kind cluster, install Calico with the operator, wait "
                              "until nodes are Ready and Calico is Available, check the projectcalico.org/v3 "
                              "API. Reuses an existing cluster. Takes several minutes the first time."))
    up.add_argument("--cni", choices=CNIS, help=_("calico (default; labs 3-4 need it) or kindnet (kind's CNI: "
                                                  "Kubernetes policy only); kind backend only"))
    up.add_argument("--lab-id", help=_("which lab (local backend: its node namespace stays until `lab down`)"))
    _target(up, "kind")
    up.set_defaults(run=_lab_command(run_up))

    down = action("down", help=_("delete the lab cluster (safe to repeat)"))
    down.add_argument("--lab-id", help=_("which lab (local backend; what exited runs left goes too)"))
    _target(down, "kind")
    down.set_defaults(run=_lab_command(run_down))

    status = action("status", help=_("what is installed, running and ready (every lab present, with its age)"))
    status.add_argument("-v", "--verbose", action="store_true",
                        help=_("also the versions, nodes, Calico components and pods a bug report needs (kind)"))
    _target(status, "kind")
    status.set_defaults(run=_lab_command(run_status))

    run = action("run", help=_("deploy a scenario and its policies, probe, print the observed matrix"),
                 description=_("Deploy the namespaces and pods of the input as agnhost servers, apply its "
                               "policies, probe every pair, print the OBSERVED matrix (the JSON shape of "
                               "`npkit matrix -o json`, plus `mismatches` against npkit's prediction and "
                               "`enforced_by`), then clean up. Exit code 0 even with mismatches: read "
                               "`mismatches`. With no observing backend (no kind lab cluster, and the local "
                               "backend not asked for) it prints the prediction, marked `observed: false`."))
    add_inputs(run)
    run.add_argument("--port", action="append", metavar="PORT[/PROTO]",
                     help=_("port to probe, repeatable (default 80)"))
    run.add_argument("--protocol", default="TCP", type=str.upper,
                     help=_("protocol for ports without one (default TCP)"))
    run.add_argument("-o", "--output", choices=("table", "json"), default="table")
    run.add_argument("--lab-id", default=RUN_LAB_ID,
                     help=_("label value for what the run creates (default {lab_id})").format(lab_id=RUN_LAB_ID))
    run.add_argument("--timeout", type=float, default=1.0, help=_("seconds per probe (default 1)"))
    run.add_argument("--workers", type=int, default=8, help=_("parallel probes (default 8)"))
    run.add_argument("--no-canary", action="store_true", help=_("skip the enforcement canary"))
    run.add_argument("--keep", action="store_true",
                     help=_("leave the scenario deployed (clean later with `lab clean`)"))
    _target(run, None)
    run.set_defaults(run=_lab_command(run_run))

    rules = action("rules", help=_("the packet-filter rules the dataplane generated for a pod"))
    rules.add_argument("pod", metavar="NS/POD")
    rules.add_argument("--lab-id", default=RUN_LAB_ID)
    _target(rules, None)
    rules.set_defaults(run=_lab_command(run_rules))

    clean = action("clean", help=_("remove what a lab created (its labelled namespaces and objects)"))
    clean.add_argument("--lab-id", default=RUN_LAB_ID,
                       help=_("which lab's objects (default {lab_id})").format(lab_id=RUN_LAB_ID))
    _target(clean, None)
    clean.set_defaults(run=_lab_command(run_clean))


def _message(error: BaseException) -> str:
    """An error's message and the notes the lab added (e.g. how to finish a failed clean-up)."""
    return "\n".join([str(error), *getattr(error, "__notes__", ())])


def _lab_command(action: Action) -> Action:
    """Run a lab action with the lab's messages on stderr, SIGTERM/SIGHUP turned into clean-up, and every
    failure of the environment (lab, cluster, kind, the OS) reported as a message, never as a bug."""
    @functools.wraps(action)
    def run(args: argparse.Namespace) -> int:
        with _notes_on_stderr(), _signals_end_the_command():
            try:
                return action(args)
            except BrokenPipeError:
                raise
            except LabConfigError as e:
                raise UsageError(str(e)) from None
            except ENVIRONMENT_ERRORS as e:  # the environment's exit code (npkit/errors.py)
                raise LabError(_message(e)) from None
            except (KeyboardInterrupt, SystemExit) as e:
                for note in getattr(e, "__notes__", ()):
                    print(note, file=sys.stderr)
                raise
    return run


@contextmanager
def _notes_on_stderr() -> Iterator[None]:
    """The lab's log messages (notes, clean-up of crashed runs) as `note:` lines on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_("note: {note}").format(note="%(message)s")))
    logger = logging.getLogger("npkit.lab")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _end(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def _signals_end_the_command() -> Iterator[None]:
    """SIGTERM and SIGHUP raise SystemExit, so `finally` clean-up runs as it does for Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _end) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _options(args: argparse.Namespace, **extra: object) -> dict[str, Any]:
    """What the user gave (None: not given); the backend's configuration refuses what it cannot honour."""
    return {"cluster": args.name, "allow_context": args.allow_context, "lab_id": getattr(args, "lab_id", None),
            **extra}


def _named(args: argparse.Namespace, **extra: object) -> LabBackend:
    """The backend `--backend` names (lab up, down and status default to kind)."""
    return create_backend(args.backend, **_options(args, **extra))


# Why there is nothing to act on without an observing backend, one sentence per action.
_NOTHING_TO = {
    "show": N_("nothing to show: {reason}. Name the backend: --backend kind (a cluster made by `npkit lab up`) or "
               "--backend local (labs on this machine)"),
    "clean": N_("nothing to clean: {reason}. Name the backend: --backend kind (a cluster made by `npkit lab up`) or "
                "--backend local (labs on this machine)"),
}


def _observing(args: argparse.Namespace, action: str) -> LabBackend:
    choice = choose_backend(args.backend, **_options(args))
    backend = choice.backend
    if not backend.observes:
        raise UsageError(_(_NOTHING_TO[action]).format(reason=choice.reason))
    return backend


def run_up(args: argparse.Namespace) -> int:
    backend = _named(args, cni=args.cni)
    progress = TerminalProgress(sys.stderr)
    try:
        backend.up(progress)
    finally:
        progress.close()
    print(backend.status())
    return 0


def run_down(args: argparse.Namespace) -> int:
    progress = TerminalProgress(sys.stderr)
    try:
        _named(args).down(progress)
    finally:
        progress.close()
    return 0


def run_status(args: argparse.Namespace) -> int:
    backend = _named(args)
    report = getattr(backend, "status_report", None) if args.verbose else None
    print(report() if report is not None else backend.status())
    return 0


def run_rules(args: argparse.Namespace) -> int:
    print(_observing(args, "show").rules(args.pod))
    return 0


def run_clean(args: argparse.Namespace) -> int:
    if args.backend is None and args.name is None and args.allow_context is None:
        choice = choose_backend(None, lab_id=args.lab_id)
        if not choice.backend.observes:
            local = create_backend("local").labs() or []  # only reads /run/npkit: nothing is created
            if local:
                print(_("lab {lab_id}: no kind lab cluster is reachable, so there is nothing to clean there; on this "
                        "machine: {labs}. Labs run on this machine are cleaned with: npkit lab clean --backend local "
                        "--lab-id ID").format(lab_id=args.lab_id, labs=", ".join(r.line() for r in local)))
            else:
                print(_("lab {lab_id}: no kind lab cluster is reachable, so there is nothing to clean there. Labs run "
                        "on this machine are cleaned with: npkit lab clean --backend local --lab-id ID").format(
                            lab_id=args.lab_id))
            return 0
        backend = choice.backend
    else:
        backend = _observing(args, "clean")
    progress = TerminalProgress(sys.stderr)
    try:
        report = backend.clean(progress)
    finally:
        progress.close()
    if report.left:
        raise LabError(_("{message}; run `npkit lab clean --backend {backend} --lab-id {lab_id}` again, or remove "
                         "them by hand").format(message=report.message(), backend=backend.name, lab_id=args.lab_id))
    print(report.message())
    return 0


def run_run(args: argparse.Namespace) -> int:
    probes = [parse_port(p, args.protocol) for p in (args.port or ["80"])]
    if any(port is None for port, _proto in probes):
        raise UsageError(_("agnhost probes TCP, UDP and SCTP ports only; give --port numbers"))
    if args.workers < 1 or args.timeout <= 0:
        raise UsageError(_("--workers must be at least 1 and --timeout positive"))
    loaded = load_inputs(args, quiet=args.output == "json")
    scenario = replace(loaded.with_policies(()), tiers={t.name: t for t in loaded.tiers.values() if t.builtin})
    if not scenario.pods:
        raise UsageError(_("the input has no pods: `lab run` needs the scenario's namespaces and pods too"))
    choice = choose_backend(args.backend, **_options(args))
    print(choice.banner(), file=sys.stderr)
    if not choice.backend.observes:
        comparisons = _predicted(args, loaded, probes, choice.backend)
    else:
        comparisons = _observed(args, scenario, loaded, probes, choice.backend)
    if args.output == "json":
        docs = [c.to_json() for c in comparisons]
        print(json.dumps(docs[0] if len(docs) == 1 else {"probes": docs}, indent=2))
    else:
        print("\n\n".join(c.render_text() for c in comparisons))
    return 0


def _predicted(args: argparse.Namespace, loaded: Any, probes: list[tuple[Any, str]],
               backend: LabBackend) -> list[LabComparison]:
    """No observing backend: the prediction, marked as such (the banner has said how to observe instead)."""
    args.dataplane = backend.dataplane
    engine = engine_for(args, with_lab_labels(loaded, args.lab_id))
    origin = provenance(backend.name, backend.dataplane, engine.cluster, observed=False)
    return [LabComparison(reachability(engine, port, proto), None, (), engine, backend.name, backend.dataplane,
                          origin) for port, proto in probes]


def _observed(args: argparse.Namespace, scenario: Any, loaded: Any, probes: list[tuple[Any, str]],
              backend: LabBackend) -> list[LabComparison]:
    """Deploy, apply, probe and compare on `backend`; clean up unless --keep, whatever happens."""
    progress = TerminalProgress(sys.stderr)

    def say(message: str) -> None:
        progress.close()
        print(message, file=sys.stderr)

    session = LabSession(args.lab_id, scenario, backend, progress=progress, on_message=say,
                         timeout=args.timeout, workers=args.workers)
    try:
        if not args.no_canary:
            session.canary()
        session.deploy()
        session.apply(loaded)
        comparisons = [session.check(port, proto) for port, proto in probes]
    except BaseException as error:
        _finish_after(session, error)
        raise
    finally:
        progress.close()
    try:
        session.keep() if args.keep else session.teardown()
    finally:
        progress.close()
    return comparisons


def _finish_after(session: LabSession, error: BaseException) -> None:
    """After a failed step (the session has tried to clean up): try once more if something may be left,
    and if that fails too, say so in a note on the error that stopped the run, not as a second error."""
    if not session.dirty:
        return
    try:
        session.teardown()
    except Exception as cleanup:  # noqa: BLE001 - reported as part of the original error
        if not getattr(error, "__notes__", None):
            add_note(error, _("The lab's clean-up did not finish ({reason}); to remove what is left: "
                              "`npkit lab clean --backend {backend} --lab-id {lab_id}`").format(
                                  reason=cleanup, backend=session.backend.name, lab_id=session.lab_id))
