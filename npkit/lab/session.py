"""A lab session: one lesson's run on any backend, with the engine's prediction beside it.

    with LabSession("lab-01", "labs/scenarios/lab-01-policy-test.yaml") as lab:   # opens: chooses a backend
        lab.canary()                  # is policy enforced at all? (a deny-all must stop a probe)
        lab.deploy()                  # namespaces and agnhost pods from the scenario; real IPs read back
        lab.apply("labs/scenarios/lab-01-default-deny.yaml")
        result = lab.check(port=80)   # predicted and observed matrices, mismatches explained
    # leaving the block tears down; so does an error or Ctrl-C inside a step

Constructing a session does nothing but read the scenario: `open()` (or `with`, or the first
step) chooses the backend. A session never prints and registers no exit hook: its messages go to
`on_message` (default: the `npkit.lab` logger) and its progress to `progress`; the CLI and the
notebook front end (notebook.py) decide where they appear, and when to clean up at exit.

The engine is the only judge of what *should* happen; the backend only reports what did.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import numpy as np

from ..cluster.guard import LAB_LABEL  # the label a lab puts on what it creates
from ..engine import Engine, protocol_name
from ..explain import render_verdict
from ..i18n import N_, messages
from ..loading import load, load_string
from ..matrix import Matrix, reachability
from ..model import (
    NAMESPACE_NAME_LABEL,
    AnyPolicy,
    Cluster,
    ContainerPort,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    ObjectRef,
    Pod,
    Tier,
)
from .backend import LabBackend, LabError, ProbeRequest, ProbeResult, Progress, no_progress, uninterrupted
from .card import LabCard, lab_card
from .compare import LabComparison, observed_allowed, observed_matrix
from .config import PredictConfig
from .provenance import Provenance, provenance, uses_calico
from .select import Choice, choose_backend

_tools = messages("npkit-tools")
_, ngettext = _tools.gettext, _tools.ngettext

CANARY_TRIES = 5
log = logging.getLogger("npkit.lab")
T = TypeVar("T")
Source = str | os.PathLike[str] | Cluster | AnyPolicy | Tier


@dataclass(frozen=True)
class CanaryResult:
    """What the enforcement canary saw: before and after a deny-all on the canary server."""

    ran: bool
    message: str
    before: ProbeResult | None = None
    after: ProbeResult | None = None

    def __str__(self) -> str:
        return self.message


def with_lab_labels(scenario: Cluster, lab_id: str) -> Cluster:
    """The scenario's namespaces as the lab creates them: with `npkit.io/lab=<lab id>` added, so
    predictions see the same namespace labels as the cluster (GlobalNetworkPolicies in the labs
    select lab namespaces by that label)."""
    namespaces = {}
    for name, ns in scenario.namespaces.items():
        namespaces[name] = replace(ns, labels={**ns.labels, NAMESPACE_NAME_LABEL: name, LAB_LABEL: lab_id})
    return replace(scenario, namespaces=namespaces)


def canary_scenario(lab_id: str) -> tuple[Cluster, NetworkPolicy]:
    """Two pods in their own namespace, and a deny-all on the server's ingress."""
    ns = f"npkit-canary-{lab_id}"[:63].rstrip("-.")
    server = Pod("canary-server", ns, {"app": "canary-server"}, (ContainerPort(80, "TCP", "http"),))
    client = Pod("canary-client", ns, {"app": "canary-client"})
    scenario = Cluster(namespaces={ns: Namespace(ns, {NAMESPACE_NAME_LABEL: ns})}, pods=(server, client))
    deny = NetworkPolicy("npkit-canary-deny-all", ns, LabelSelector.of({"app": "canary-server"}), ("Ingress",))
    return with_lab_labels(scenario, lab_id), deny


CANARY_NOT_ENFORCING = N_("""\
ENFORCEMENT CANARY FAILED: a deny-all NetworkPolicy on the canary server did not stop a new
connection to it ({outcome} after {tries} tries over {seconds:.0f} s). The network plugin of this
cluster is not enforcing policy, so every lab result would be meaningless. Common causes:
- kind older than v0.24 (kindnet enforced no NetworkPolicy before it): upgrade kind;
- WSL2 or another kernel without nfqueue / nft conntrack: kindnet fails open; use --cni calico;
- a CNI without policy support (e.g. flannel alone);
- Calico still starting: run `npkit lab status` and try again in a minute.
""")


class LabSession:
    """One lab on one backend. Use as a context manager, or call `teardown()` in the last cell.

    `backend`: a LabBackend, a backend name ("kind", "local", "predict"), or None to choose (a kind
    cluster if one is reachable, the local backend only with `allow_local=True` or
    NPKIT_LAB_BACKEND=local, else prediction). `backend_options` configure a chosen backend
    (cluster, allow_context, cni, dataplane); one the backend cannot honour is a LabConfigError.
    """

    def __init__(self, lab_id: str, scenario: str | os.PathLike[str] | Cluster | None = None,
                 backend: LabBackend | str | None = None, *, allow_local: bool = False,
                 progress: Progress | None = None, on_message: Callable[[str], None] | None = None,
                 port: int = 80, protocol: str = "TCP", timeout: float = 1.0, workers: int = 8,
                 needs: str | None = None, env: Mapping[str, str] | None = None, **backend_options: object):
        self.lab_id = lab_id
        self._requested = backend
        self._allow_local = allow_local
        self._env = env
        self._backend_options = backend_options
        self._needs = needs
        self.choice: Choice | None = None
        self.progress: Progress = progress or no_progress
        self.on_message = on_message
        self.port, self.protocol = port, protocol_name(protocol)
        self.timeout, self.workers = timeout, workers
        self.scenario: Cluster = with_lab_labels(_as_cluster(scenario) if scenario is not None else Cluster(), lab_id)
        self.deployed: Cluster | None = None
        self.policies: dict[ObjectRef, AnyPolicy] = {}
        self.tiers: dict[str, Tier] = {}
        self._engine: Engine | None = None
        self._changed_at = 0.0
        self._dirty = False  # something may exist on the backend that teardown should remove

    # -- opening -------------------------------------------------------------------------------
    def open(self) -> LabSession:
        """Choose the backend (once) and announce it; returns the session. Steps call it if you did not."""
        if self.choice is None:
            self.choice = self._choose()
            self._say(self.choice.banner())
        return self

    def _choose(self) -> Choice:
        requested = self._requested
        if isinstance(requested, LabBackend):
            choice = Choice(requested, _("given explicitly"))
        else:
            choice = choose_backend(requested, env=self._env, allow_local=self._allow_local, lab_id=self.lab_id,
                                    **self._backend_options)
        backend = choice.backend
        if self._needs == "calico" and backend.observes and backend.dataplane != "calico":
            # A lab about Calico objects cannot run on kindnet; predict instead of failing.
            from .backends.predict import PredictBackend

            why = _("this lab needs Calico, and the {backend} backend enforces {dataplane} policy only").format(
                backend=backend.name, dataplane=backend.dataplane)
            predict = PredictBackend(PredictConfig(self.lab_id, why))
            choice = Choice(predict, why, [*choice.skipped, (backend.name, why)])
        return choice

    @property
    def backend(self) -> LabBackend:
        """The backend (choosing it if the session is not open yet)."""
        return self.open().choice.backend  # type: ignore[union-attr]  # open() sets choice

    # -- what is shown --------------------------------------------------------------------------
    @property
    def banner(self) -> str:
        return self.open().choice.banner()  # type: ignore[union-attr]  # open() sets choice

    @property
    def observes(self) -> bool:
        return self.backend.observes

    @property
    def dirty(self) -> bool:
        """Whether something this session created may still exist on the backend."""
        return self._dirty

    def intro(self) -> LabCard:
        """The lab's card: what it covers, how long it takes, where it runs and what that creates."""
        return lab_card(self.lab_id, self.backend, calico=self._needs == "calico" or uses_calico(self.cluster))

    @property
    def provenance(self) -> Provenance:
        """What the current results rest on (who enforces them), for the current policies."""
        return provenance(self.backend.name, self.backend.dataplane, self.cluster, self.observes)

    @property
    def cluster(self) -> Cluster:
        """The model of what is (or would be) running: deployed pods plus the applied policies."""
        base = self.deployed or self.scenario
        return replace(base, tiers={**base.tiers, **self.tiers}).with_policies(self.policies.values())

    @property
    def engine(self) -> Engine:
        """The engine for the current cluster, compiled once per change."""
        if self._engine is None:
            self._engine = Engine(self.cluster, dataplane=self.backend.dataplane)  # type: ignore[arg-type]
        return self._engine

    def _changed(self) -> None:
        self._engine = None
        self._changed_at = time.monotonic()

    def predict(self, port: int | None = None, protocol: str | None = None) -> Matrix:
        """The engine's matrix for the current policies."""
        return reachability(self.engine, port or self.port, protocol or self.protocol)

    def explain(self, src: str, dst: str, port: int | None = None, protocol: str | None = None,
                verbose: bool = True) -> str:
        """Why the engine allows or denies one connection."""
        verdict = self.engine.verdict(src, dst, port or self.port, protocol or self.protocol)
        return render_verdict(verdict, verbose)

    def _say(self, message: str) -> None:
        if self.on_message is not None:
            self.on_message(message)
        else:
            log.info(message)

    # -- steps -----------------------------------------------------------------------------------
    def _guarded(self, step: Callable[[], T]) -> T:
        """Run a step that changes the backend; on an error or Ctrl-C, clean up, then re-raise.
        If the clean-up fails too, the original error carries a note saying how to finish it."""
        backend = self.backend
        self._dirty = True
        try:
            return step()
        except BaseException as error:
            try:
                uninterrupted(lambda: backend.teardown(self.progress))
                self._dirty = False
            except Exception as cleanup:  # noqa: BLE001 - the original error matters more; say how to finish
                add_note(error, _("The lab's clean-up did not finish ({reason}); to remove what is left: "
                                  "`npkit lab clean --backend {backend} --lab-id {lab_id}`").format(
                                      reason=cleanup, backend=backend.name, lab_id=self.lab_id))
            raise

    def canary(self) -> CanaryResult:
        """Apply a deny-all to a canary pod and check that a probe to it now fails.

        Raises LabError explaining the likely cause when the CNI does not enforce policy.
        """
        backend = self.backend
        if not backend.observes:
            return CanaryResult(False, _("canary not run: predicted, not observed (nothing is enforced here)"))
        scenario, deny = canary_scenario(self.lab_id)

        def run() -> CanaryResult:
            backend.teardown(self.progress)
            deployed = backend.deploy(scenario, self.progress)
            request = ProbeRequest("/".join((deny.namespace, "canary-client")),
                                   "/".join((deny.namespace, "canary-server")), 80, "TCP")
            before, tries = backend.probe([request], self.timeout, 1)[0], 0
            while not observed_allowed(before, deployed) and tries < CANARY_TRIES:
                tries += 1  # a new pod's route can lag its readiness (Calico programs it a moment later)
                time.sleep(backend.settle)
                before = backend.probe([request], self.timeout, 1)[0]
            if not observed_allowed(before, deployed):
                raise LabError(_("enforcement canary: before any policy the canary client could not reach the "
                                 "server ({outcome} {detail}); pod networking itself is broken. Check `npkit lab "
                                 "status`.").format(outcome=before.outcome, detail=before.detail))
            backend.apply([deny], self.progress)
            after, tries = before, 0
            while after.connected and tries < CANARY_TRIES:  # policy takes a moment to be programmed
                tries += 1
                time.sleep(backend.settle)
                after = backend.probe([request], self.timeout, 1)[0]
            if after.connected:
                raise LabError(_(CANARY_NOT_ENFORCING).format(outcome=after.outcome, tries=tries,
                                                              seconds=tries * (backend.settle + self.timeout)))
            backend.teardown(self.progress)
            return CanaryResult(True, _("enforcement canary passed: before the deny-all {before}, after it {after} "
                                        "— the {backend} backend enforces policy").format(
                                            before=before.outcome, after=after.outcome, backend=backend.name),
                                before, after)

        result = self._guarded(run)
        self._dirty = False
        self._say(result.message)
        return result

    def deploy(self) -> Cluster:
        """Create the scenario's namespaces and pods (after removing leftovers of earlier runs)."""
        backend = self.backend

        def run() -> Cluster:
            backend.teardown(self.progress)
            self.policies.clear()
            self.tiers.clear()
            return backend.deploy(self.scenario, self.progress)

        self.deployed = self._guarded(run)
        self._changed()
        if backend.observes:
            n = len(self.deployed.pods)
            self._say(ngettext("deployed {n} pod(s): {pods}", "deployed {n} pod(s): {pods}", n).format(
                n=n, pods=", ".join(f"{p.key} {p.ip}" for p in self.deployed.pods)))
        return self.deployed

    def apply(self, *sources: Source) -> list[str]:
        """Apply policies (and the tiers they need): YAML paths, YAML text, a Cluster or model objects.
        Returns what was applied, as `Kind namespace/name`."""
        policies, tiers = _collect(sources)
        known = set((self.deployed or self.scenario).namespaces)
        outside = [str(p.ref) for p in policies if _namespace_of(p) not in (None, *known)]
        if outside:
            raise LabError(_("{policies}: not in a namespace of this lab's scenario ({namespaces}); labs change only "
                             "their own namespaces").format(policies=", ".join(outside),
                                                            namespaces=", ".join(sorted(known))))
        backend = self.backend

        def run() -> None:
            if tiers:
                backend.apply_tiers(tiers, self.progress)
            backend.apply(policies, self.progress)

        self._guarded(run)
        self.tiers.update((t.name, t) for t in tiers)
        self.policies.update((p.ref, p) for p in policies)
        self._changed()
        return [str(p.ref) for p in policies]

    def delete(self, *sources: Source) -> list[str]:
        """Remove policies: the same kinds of sources as `apply`, or `Kind ns/name` strings."""
        wanted: list[AnyPolicy] = []
        for source in sources:
            if isinstance(source, str) and source in {str(p.ref) for p in self.policies.values()}:
                wanted += [p for p in self.policies.values() if str(p.ref) == source]
            else:
                wanted += _collect([source])[0]
        backend = self.backend
        self._guarded(lambda: backend.delete(wanted, self.progress))
        for p in wanted:
            self.policies.pop(p.ref, None)
        self._changed()
        return [str(p.ref) for p in wanted]

    def check(self, port: int | None = None, protocol: str | None = None, retry: bool = True) -> LabComparison:
        """Predict the matrix, probe it on the backend, re-probe disagreeing cells once after a
        settle time, and return the comparison (its text and HTML show both, mismatches explained,
        and say what the observation rests on)."""
        port, protocol = port or self.port, protocol_name(protocol or self.protocol)
        backend = self.backend
        engine = self.engine
        predicted = reachability(engine, port, protocol)
        origin = provenance(backend.name, backend.dataplane, engine.cluster, backend.observes)
        if not backend.observes:
            return LabComparison(predicted, None, (), engine, backend.name, backend.dataplane, origin)
        if self.deployed is None:
            raise LabError(_("nothing is deployed yet: call deploy() first"))
        cluster = engine.cluster
        # Row by row over the matrix's pods: request i is cell i of the flattened matrix.
        requests = [ProbeRequest(s, d, port, protocol) for s in predicted.pods for d in predicted.pods]

        def run() -> tuple[tuple[ProbeResult, ...], Matrix]:
            wait = backend.settle - (time.monotonic() - self._changed_at)
            if wait > 0:
                time.sleep(wait)  # let the dataplane catch up with the last change
            results = backend.probe(requests, self.timeout, self.workers, self.progress)
            observed = observed_matrix(predicted, results, cluster)
            disagree = np.flatnonzero(observed.flipped(predicted)).tolist() if retry else []
            if disagree:
                time.sleep(backend.settle)
                again = backend.probe([requests[i] for i in disagree], self.timeout, self.workers, self.progress)
                for i, r in zip(disagree, again, strict=True):
                    results[i] = replace(r, attempts=results[i].attempts + 1)
                observed = observed_matrix(predicted, results, cluster)
            return tuple(results), observed

        results, observed = self._guarded(run)
        return LabComparison(predicted, observed, results, engine, backend.name, backend.dataplane, origin)

    def rules(self, pod: str) -> str:
        """The packet-filter rules the backend generated for a pod."""
        return self.backend.rules(pod)

    def logs(self, tail: int = 200) -> str:
        """What the dataplane logged for Calico Log rules."""
        return self.backend.logs(tail)

    # -- clean-up ------------------------------------------------------------------------------
    def teardown(self) -> None:
        """Remove everything this lab created on the backend. Safe to call again and again."""
        if self.choice is None and not self._dirty:
            return  # never opened: nothing was created
        backend = self.backend
        uninterrupted(lambda: backend.teardown(self.progress))
        self.deployed = None
        self.policies.clear()
        self.tiers.clear()
        self._changed()
        self._dirty = False
        if backend.observes:
            self._say(_("lab {lab_id}: cleaned up").format(lab_id=self.lab_id))

    close = teardown

    def keep(self) -> None:
        """Leave what is deployed in place (`npkit lab run --keep`): clean up later with `npkit lab clean`."""
        if self.choice is not None:
            self.backend.keep()
        self._dirty = False

    def __enter__(self) -> LabSession:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.teardown()


def _namespace_of(policy: AnyPolicy) -> str | None:
    """A namespaced policy's namespace; None for cluster-wide ones."""
    namespace: str | None = getattr(policy, "namespace", None)
    return namespace or None


def add_note(error: BaseException, note: str) -> None:
    """`BaseException.add_note` (Python 3.11), by hand on 3.10; the CLI prints an error's notes."""
    notes = [*getattr(error, "__notes__", ()), note]
    error.__notes__ = notes  # type: ignore[attr-defined]  # the attribute add_note sets


def _as_cluster(source: Any) -> Cluster:
    if isinstance(source, Cluster):
        return source
    if isinstance(source, (str, os.PathLike)) and "\n" not in str(source):
        return load(source)
    if isinstance(source, str):
        return load_string(source, "<lab>")
    raise TypeError(f"not a scenario: {source!r}")


def _collect(sources: Iterable[Source]) -> tuple[list[AnyPolicy], list[Tier]]:
    policies: list[AnyPolicy] = []
    tiers: list[Tier] = []
    for source in sources:
        if isinstance(source, Tier):
            tiers.append(source)
        elif isinstance(source, (str, os.PathLike, Cluster)):
            cluster = _as_cluster(source)
            policies += list(cluster.policies)
            tiers += [t for t in cluster.tiers.values() if not t.builtin]
        else:
            policies.append(source)
    return policies, tiers
