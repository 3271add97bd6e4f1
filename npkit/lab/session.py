"""A lab session: one lesson's run on any backend, with the engine's prediction beside it.

    lab = LabSession("lab-01", "labs/scenarios/lab-01-policy-test.yaml")   # chooses a backend, shows the banner
    lab.canary()                  # is policy enforced at all? (a deny-all must stop a probe)
    lab.deploy()                  # namespaces and agnhost pods from the scenario; real IPs read back
    lab.apply("labs/scenarios/lab-01-default-deny.yaml")
    result = lab.check(port=80)   # predicted and observed matrices, mismatches explained
    lab.teardown()                # also runs on errors, Ctrl-C, `with` exit and interpreter exit

The engine is the only judge of what *should* happen; the backend only reports what did.
"""

from __future__ import annotations

import atexit
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from ..cluster.guard import LAB_LABEL  # the label a lab puts on what it creates
from ..engine import Engine, protocol_name
from ..explain import render_verdict
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
from .backend import LabBackend, LabError, ProbeRequest, ProbeResult, Progress
from .compare import LabComparison, observed_allowed, observed_matrix
from .progress import default_progress
from .select import Choice, choose_backend

CANARY_TRIES = 5


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


CANARY_NOT_ENFORCING = """\
ENFORCEMENT CANARY FAILED: a deny-all NetworkPolicy on the canary server did not stop a new
connection to it ({outcome} after {tries} tries over {seconds:.0f} s). The network plugin of this
cluster is not enforcing policy, so every lab result would be meaningless. Common causes:
- kind older than v0.24 (kindnet enforced no NetworkPolicy before it): upgrade kind;
- WSL2 or another kernel without nfqueue / nft conntrack: kindnet fails open; use --cni calico;
- a CNI without policy support (e.g. flannel alone);
- Calico still starting: run `npkit lab status` and try again in a minute.
"""


class LabSession:
    """One lab on one backend. Use as a context manager, or call `teardown()` in the last cell."""

    def __init__(self, lab_id: str, scenario: str | os.PathLike | Cluster | None = None,
                 backend: LabBackend | None = None, *, progress: Progress | None = None,
                 port: int = 80, protocol: str = "TCP", timeout: float = 1.0, workers: int = 8,
                 needs: str | None = None, show_banner: bool = True, **backend_options):
        self.lab_id = lab_id
        if backend is not None:
            self.choice = Choice(backend, "given explicitly")
        else:
            self.choice = choose_backend(lab_id=lab_id, **backend_options)
        if needs == "calico" and self.choice.backend.observes and self.choice.backend.dataplane != "calico":
            # A lab about Calico objects cannot run on kindnet; predict instead of failing.
            from .backends.predict import PredictBackend

            why = f"this lab needs Calico, and the {self.choice.backend.name} backend enforces " \
                  f"{self.choice.backend.dataplane} policy only"
            self.choice = Choice(PredictBackend(why), why, self.choice.skipped + [(self.choice.backend.name, why)])
        self.backend: LabBackend = self.choice.backend
        self.progress: Progress = progress or default_progress()
        self.port, self.protocol = port, protocol_name(protocol)
        self.timeout, self.workers = timeout, workers
        self.scenario: Cluster = with_lab_labels(_as_cluster(scenario) if scenario is not None else Cluster(), lab_id)
        self.deployed: Cluster | None = None
        self.policies: dict[ObjectRef, AnyPolicy] = {}
        self.tiers: dict[str, Tier] = {}
        self._changed_at = 0.0
        self._dirty = False  # something may exist on the backend that teardown should remove
        atexit.register(self._at_exit)
        if show_banner:
            print(self.banner)

    # -- what is shown --------------------------------------------------------------------------
    @property
    def banner(self) -> str:
        return self.choice.banner()

    @property
    def observes(self) -> bool:
        return self.backend.observes

    @property
    def cluster(self) -> Cluster:
        """The model of what is (or would be) running: deployed pods plus the applied policies."""
        base = self.deployed or self.scenario
        return replace(base, tiers={**base.tiers, **self.tiers}).with_policies(self.policies.values())

    @property
    def engine(self) -> Engine:
        return Engine(self.cluster, dataplane=self.backend.dataplane)  # type: ignore[arg-type]

    def predict(self, port: int | None = None, protocol: str | None = None) -> Matrix:
        """The engine's matrix for the current policies."""
        return reachability(self.engine, port or self.port, protocol or self.protocol)

    def explain(self, src: str, dst: str, port: int | None = None, protocol: str | None = None,
                verbose: bool = True) -> str:
        """Why the engine allows or denies one connection."""
        verdict = self.engine.verdict(src, dst, port or self.port, protocol or self.protocol)
        return render_verdict(verdict, verbose)

    # -- steps -----------------------------------------------------------------------------------
    def _guarded(self, step):
        """Run a step that changes the backend; on an error or Ctrl-C, clean up, then re-raise."""
        self._dirty = True
        try:
            return step()
        except BaseException:
            self._safe_teardown()
            raise

    def canary(self) -> CanaryResult:
        """Apply a deny-all to a canary pod and check that a probe to it now fails.

        Raises LabError explaining the likely cause when the CNI does not enforce policy.
        """
        if not self.observes:
            return CanaryResult(False, "canary not run: predicted, not observed (nothing is enforced here)")
        scenario, deny = canary_scenario(self.lab_id)

        def run() -> CanaryResult:
            self.backend.teardown(self.progress)
            deployed = self.backend.deploy(scenario, self.progress)
            request = ProbeRequest("/".join((deny.namespace, "canary-client")),
                                   "/".join((deny.namespace, "canary-server")), 80, "TCP")
            before = self.backend.probe([request], self.timeout, 1)[0]
            if not observed_allowed(before, deployed):
                raise LabError(f"enforcement canary: before any policy the canary client could not reach the "
                               f"server ({before.outcome} {before.detail}); pod networking itself is broken. "
                               "Check `npkit lab status`.")
            self.backend.apply([deny], self.progress)
            after, tries = before, 0
            while after.connected and tries < CANARY_TRIES:  # policy takes a moment to be programmed
                tries += 1
                time.sleep(self.backend.settle)
                after = self.backend.probe([request], self.timeout, 1)[0]
            if after.connected:
                raise LabError(CANARY_NOT_ENFORCING.format(outcome=after.outcome, tries=tries,
                                                           seconds=tries * (self.backend.settle + self.timeout)))
            self.backend.teardown(self.progress)
            return CanaryResult(True, f"enforcement canary passed: before the deny-all {before.outcome}, "
                                      f"after it {after.outcome} — the {self.backend.name} backend enforces policy",
                                before, after)

        result = self._guarded(run)
        self._dirty = False
        print(result.message)
        return result

    def deploy(self) -> Cluster:
        """Create the scenario's namespaces and pods (after removing leftovers of earlier runs)."""
        def run() -> Cluster:
            self.backend.teardown(self.progress)
            self.policies.clear()
            self.tiers.clear()
            return self.backend.deploy(self.scenario, self.progress)

        self.deployed = self._guarded(run)
        self._changed_at = time.monotonic()
        if self.observes:
            print(f"deployed {len(self.deployed.pods)} pod(s): " +
                  ", ".join(f"{p.key} {p.ip}" for p in self.deployed.pods))
        return self.deployed

    def apply(self, *sources) -> list[str]:
        """Apply policies (and the tiers they need): YAML paths, YAML text, a Cluster or model objects.
        Returns what was applied, as `Kind namespace/name`."""
        policies, tiers = _collect(sources)
        known = set((self.deployed or self.scenario).namespaces)
        outside = [str(p.ref) for p in policies if getattr(p, "namespace", None) and p.namespace not in known]
        if outside:
            raise LabError(f"{', '.join(outside)}: not in a namespace of this lab's scenario "
                           f"({', '.join(sorted(known))}); labs change only their own namespaces")

        def run() -> None:
            if tiers:
                self.backend.apply_tiers(tiers, self.progress)
            self.backend.apply(policies, self.progress)

        self._guarded(run)
        self.tiers.update((t.name, t) for t in tiers)
        self.policies.update((p.ref, p) for p in policies)
        self._changed_at = time.monotonic()
        return [str(p.ref) for p in policies]

    def delete(self, *sources) -> list[str]:
        """Remove policies: the same kinds of sources as `apply`, or `Kind ns/name` strings."""
        wanted = []
        for source in sources:
            if isinstance(source, str) and source in {str(p.ref) for p in self.policies.values()}:
                wanted += [p for p in self.policies.values() if str(p.ref) == source]
            else:
                wanted += _collect([source])[0]
        self._guarded(lambda: self.backend.delete(wanted, self.progress))
        for p in wanted:
            self.policies.pop(p.ref, None)
        self._changed_at = time.monotonic()
        return [str(p.ref) for p in wanted]

    def check(self, port: int | None = None, protocol: str | None = None, retry: bool = True) -> LabComparison:
        """Predict the matrix, probe it on the backend, re-probe disagreeing cells once after a
        settle time, and return the comparison (its text and HTML show both, mismatches explained)."""
        port, protocol = port or self.port, protocol_name(protocol or self.protocol)
        engine = self.engine
        predicted = reachability(engine, port, protocol)
        if not self.observes:
            return LabComparison(predicted, None, (), engine, self.backend.name, self.backend.dataplane)
        if self.deployed is None:
            raise LabError("nothing is deployed yet: call deploy() first")
        cluster = engine.cluster
        # Row by row over the matrix's pods: request i is cell i of the flattened matrix.
        requests = [ProbeRequest(s, d, port, protocol) for s in predicted.pods for d in predicted.pods]

        def run() -> tuple[tuple[ProbeResult, ...], Matrix]:
            wait = self.backend.settle - (time.monotonic() - self._changed_at)
            if wait > 0:
                time.sleep(wait)  # let the dataplane catch up with the last change
            results = self.backend.probe(requests, self.timeout, self.workers, self.progress)
            observed = observed_matrix(predicted, results, cluster)
            disagree = np.flatnonzero(observed.flipped(predicted)).tolist() if retry else []
            if disagree:
                time.sleep(self.backend.settle)
                again = self.backend.probe([requests[i] for i in disagree], self.timeout, self.workers, self.progress)
                for i, r in zip(disagree, again, strict=True):
                    results[i] = replace(r, attempts=results[i].attempts + 1)
                observed = observed_matrix(predicted, results, cluster)
            return tuple(results), observed

        results, observed = self._guarded(run)
        return LabComparison(predicted, observed, results, engine, self.backend.name, self.backend.dataplane)

    def rules(self, pod: str) -> str:
        """The packet-filter rules the backend generated for a pod."""
        return self.backend.rules(pod)

    def logs(self, tail: int = 200) -> str:
        """What the dataplane logged for Calico Log rules."""
        return self.backend.logs(tail)

    # -- clean-up ------------------------------------------------------------------------------
    def teardown(self) -> None:
        """Remove everything this lab created on the backend. Safe to call again and again."""
        self.backend.teardown(self.progress)
        self.deployed = None
        self.policies.clear()
        self.tiers.clear()
        self._dirty = False
        if self.observes:
            print(f"lab {self.lab_id}: cleaned up")

    def keep(self) -> None:
        """Leave what is deployed in place: no clean-up at interpreter exit (`npkit lab run --keep`)."""
        self._dirty = False

    def _safe_teardown(self) -> None:
        try:
            self.backend.teardown(self.progress)
            self._dirty = False
        except Exception as e:  # noqa: BLE001 - the original error matters more; say how to finish
            print(f"lab {self.lab_id}: clean-up failed too ({e}); run `npkit lab clean --lab-id {self.lab_id}` "
                  f"or call teardown() again")

    def _at_exit(self) -> None:
        if self._dirty:
            self._safe_teardown()

    def __enter__(self) -> LabSession:
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.teardown()
        finally:
            atexit.unregister(self._at_exit)


def _as_cluster(source) -> Cluster:
    if isinstance(source, Cluster):
        return source
    if isinstance(source, (str, os.PathLike)) and "\n" not in str(source):
        return load(source)
    if isinstance(source, str):
        return load_string(source, "<lab>")
    raise TypeError(f"not a scenario: {source!r}")


def _collect(sources: Iterable) -> tuple[list[AnyPolicy], list[Tier]]:
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
