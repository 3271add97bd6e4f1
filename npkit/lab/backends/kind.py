"""The kind backend: labs on a real local Kubernetes cluster (kind + Calico or kindnet).

It drives the helpers in `npkit.cluster`: preflight, kind, the Calico install, readiness,
the safety guard, the Kubernetes facade and agnhost. Every change to the cluster passes the
guard first (the lab's own kind context only, unless the user named another explicitly),
and happens only in namespaces the lab created and labelled.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from ...cluster import agnhost, calico, manifests
from ...cluster.guard import (
    LAB_LABEL,
    ContextGuard,
    UnsafeTarget,
    lab_selector,
    owned_by,
    reach_outside,
    valid_lab_id,
)
from ...cluster.kind import DEFAULT_NAME, Kind, config_path
from ...cluster.kube import CALICO_API, ClientKube, Kube, KubeError
from ...cluster.preflight import container_runtime, preflight
from ...cluster.readiness import Clock, Timeout, nodes_waiting, pod_failed, pod_waiting, wait_until
from ...cluster.runner import Runner, SubprocessRunner
from ...cluster.versions import Versions, cluster_dir, load_versions
from ...model import NAMESPACE_NAME_LABEL, AnyPolicy, Cluster, Namespace, Tier
from ..backend import LabBackend, LabError, ProbeRequest, ProbeResult, Progress, no_progress

KubeFactory = Callable[[str], Kube]
# Cluster-wide kinds a lab may create; clean-up deletes those carrying the lab's label (tiers last).
CLUSTER_SCOPED = (
    (CALICO_API, "GlobalNetworkPolicy"), (CALICO_API, "StagedGlobalNetworkPolicy"),
    (CALICO_API, "GlobalNetworkSet"), ("policy.networking.k8s.io/v1alpha2", "ClusterNetworkPolicy"),
    (CALICO_API, "Tier"),
)
EXEC_GRACE = 10.0  # seconds on top of the probe timeout before giving up on an exec


class KindBackend(LabBackend):
    """Labs on the kind cluster `cluster` (default npkit-lab), context kind-<cluster>."""

    name = "kind"
    settle = 3.0  # Felix / kindnet need a moment to program a change (docs/semantics/kind-lab.md: 2-5 s)

    def __init__(self, cluster: str = DEFAULT_NAME, cni: str | None = None, lab_id: str = "npkit",
                 allow_context: str | None = None, runner: Runner | None = None,
                 kube_factory: KubeFactory | None = None, versions: Versions | None = None,
                 clock: Clock | None = None, pod_timeout: float = 180.0):
        if not valid_lab_id(lab_id):
            raise LabError(f"lab id {lab_id!r} must be a valid label value (letters, digits, - _ .)")
        self.cluster = cluster
        self.lab_id = lab_id
        self.guard = ContextGuard(cluster, allow_context)
        self.runner = runner or SubprocessRunner()
        self.kind = Kind(self.runner)
        self._kube_factory = kube_factory or ClientKube
        self._kube: Kube | None = None
        self._versions = versions
        self._cni = cni
        self.clock = clock or Clock()
        self.pod_timeout = pod_timeout
        self._pods: dict[str, tuple[str, str]] = {}  # pod key → (IP, container to exec in)

    # -- identity -------------------------------------------------------------------------
    @property
    def versions(self) -> Versions:
        if self._versions is None:
            self._versions = load_versions()
        return self._versions

    @property
    def kube(self) -> Kube:
        if self._kube is None:
            try:
                self._kube = self._kube_factory(self.guard.target)
            except KubeError as e:
                raise LabError(str(e)) from None
        return self._kube

    @property
    def cni(self) -> str:
        """calico or kindnet: as asked, else as found on the running cluster."""
        if self._cni is None:
            try:
                self._cni = "calico" if calico.is_calico(self.kube) else "kindnet"
            except (LabError, KubeError, OSError):
                return "calico"  # not reachable yet: `lab up` installs Calico by default
        return self._cni

    @property
    def dataplane(self) -> str:  # type: ignore[override]
        return "calico" if self.cni == "calico" else "kubernetes"

    def describe(self) -> str:
        what = f"Calico {self.versions.calico}" if self.cni == "calico" else "kindnet (Kubernetes NetworkPolicy only)"
        return f"kind cluster {self.cluster} with {what}, context {self.guard.target}"

    # -- environment ----------------------------------------------------------------------
    def preflight(self) -> list[str]:
        return preflight(self.runner, self.versions).problems

    def usable(self) -> list[str]:
        problems = self.preflight()
        if problems:
            return problems
        if not self.kind.exists(self.cluster):
            return [f"no kind cluster named {self.cluster}: run `npkit lab up --name {self.cluster}`"]
        try:
            self.kube.version()
        except Exception as e:  # noqa: BLE001 - any failure means "not reachable"; say which
            return [f"kind cluster {self.cluster} exists but its API does not answer ({e}); "
                    f"is the node container running? Try `npkit lab down` then `npkit lab up`"]
        return []

    def up(self, progress: Progress = no_progress) -> None:
        checked = preflight(self.runner, self.versions)
        if checked.problems:
            raise LabError("cannot create the lab cluster:\n- " + "\n- ".join(checked.problems))
        cni = self._cni or "calico"
        steps = 4 if cni == "calico" else 2
        if self.kind.exists(self.cluster):
            progress(0, steps, f"kind cluster {self.cluster} exists; reusing it")
        else:
            progress(0, steps, f"creating kind cluster {self.cluster} ({cni}; pulls the node image the first time)")
            result = self.kind.create(self.cluster, config_path(cluster_dir(), cni), self.versions.node_image)
            if not result.ok:
                raise LabError(f"kind create cluster failed: {result.message()}")
        self._kube = None  # the kubeconfig has just changed
        self._check_guard()
        if cni == "calico":
            progress(1, steps, f"installing Calico {self.versions.calico} (Tigera operator)")
            try:
                calico.install(self.runner, self.versions, self.guard.target,
                               lambda message: progress(1, steps, message))
            except RuntimeError as e:
                raise LabError(str(e)) from None
        progress(steps - 1, steps, "waiting for the nodes to be Ready")
        self._wait(lambda: nodes_waiting(self.kube.list("v1", "Node")), "nodes", 600, progress, steps - 1, steps)
        if cni == "calico":
            progress(steps - 1, steps, "waiting for Calico to report Available and for its v3 API")
            self._wait(lambda: calico.status_waiting(self.kube), "Calico", 900, progress, steps - 1, steps)
        self._cni = cni
        progress(steps, steps, f"lab cluster ready: {self.describe()}")

    def down(self, progress: Progress = no_progress) -> None:
        progress(0, 1, f"deleting kind cluster {self.cluster}")
        result = self.kind.delete(self.cluster)
        if not result.ok:
            raise LabError(f"kind delete cluster failed: {result.message()}")
        self._kube = None
        self._pods.clear()
        progress(1, 1, f"kind cluster {self.cluster} deleted")

    def status(self) -> str:
        problems = preflight(self.runner, self.versions).problems
        if problems:
            return "not ready:\n- " + "\n- ".join(problems)
        if not self.kind.exists(self.cluster):
            return f"no kind cluster {self.cluster} (run `npkit lab up`)"
        lines = [f"kind cluster {self.cluster}, context {self.guard.target}"]
        try:
            lines.append(f"Kubernetes {self.kube.version()}, CNI {self.cni}")
            waiting = nodes_waiting(self.kube.list("v1", "Node"))
            lines.append("nodes: " + ("all Ready" if not waiting else "; ".join(waiting)))
            if self.cni == "calico":
                waiting = calico.status_waiting(self.kube)
                lines.append("Calico: " + ("Available, projectcalico.org/v3 API answering" if not waiting
                                           else "waiting for " + "; ".join(waiting)))
            labs = self.kube.list("v1", "Namespace", label_selector=LAB_LABEL)
            if labs:
                lines.append("lab namespaces: " + ", ".join(
                    f"{n['metadata']['name']} ({n['metadata']['labels'][LAB_LABEL]})" for n in labs))
        except (KubeError, LabError) as e:
            lines.append(f"API not answering: {e}")
        return "\n".join(lines)

    # -- scenario -------------------------------------------------------------------------
    def _check_guard(self) -> None:
        try:
            self.guard.check(self.kube.context, self.kube.server)
        except UnsafeTarget as e:
            raise LabError(str(e)) from None

    def _wait(self, check: Callable[[], list[str]], what: str, timeout: float, progress: Progress,
              done: int, total: int) -> None:
        def report(waiting: list[str], elapsed: float) -> None:
            if waiting:
                progress(done, total, f"{elapsed:4.0f} s: waiting for {'; '.join(waiting[:3])}")

        try:
            wait_until(check, what, timeout, report=report, clock=self.clock)
        except Timeout as e:
            raise LabError(str(e)) from None

    def deploy(self, scenario: Cluster, progress: Progress = no_progress) -> Cluster:
        self._check_guard()
        try:
            objects = manifests.scenario_manifests(scenario, self.lab_id, self.versions.agnhost_image)
        except manifests.ScenarioError as e:
            raise LabError(str(e)) from None
        for obj in objects:
            if obj["kind"] != "Namespace":
                continue
            name = obj["metadata"]["name"]
            existing = self.kube.get("v1", "Namespace", name)
            if existing is not None and not owned_by(existing["metadata"].get("labels"), self.lab_id):
                raise LabError(f"namespace {name} already exists and was not created by lab {self.lab_id} "
                               f"(no label npkit.io/lab={self.lab_id}); labs only use namespaces they create. "
                               "Rename it in the scenario, or delete it yourself if it is a leftover.")
        total = len(objects) + 1
        for i, obj in enumerate(objects):
            meta = obj["metadata"]
            progress(i, total, f"creating {obj['kind']} {meta.get('namespace', '') and meta['namespace'] + '/'}"
                               f"{meta['name']}")
            self._apply(obj)
        keys = [p.key for p in scenario.pods]

        def check() -> list[str]:
            waiting = []
            for key in keys:
                ns, name = key.split("/", 1)
                pod = self.kube.get("v1", "Pod", name, ns)
                reason = f"{key}: not created" if pod is None else pod_waiting(pod)
                if reason is not None:
                    if pod_failed(reason):
                        raise LabError(f"pod {reason}; check that the node can pull {self.versions.agnhost_image}")
                    waiting.append(reason)
            return waiting

        self._wait(check, "pods", self.pod_timeout, progress, len(objects), total)
        pods = []
        for pod in scenario.pods:
            live = self.kube.get("v1", "Pod", pod.name, pod.namespace) or {}
            ip = (live.get("status") or {}).get("podIP") or ""
            container = ((live.get("spec") or {}).get("containers") or [{}])[0].get("name", "")
            self._pods[pod.key] = (ip, container)
            pods.append(replace(pod, ip=ip, ip_assigned=False))
        namespaces = dict(scenario.namespaces)
        for obj in objects:
            if obj["kind"] == "Namespace":
                name = obj["metadata"]["name"]
                old = namespaces.get(name) or Namespace(name)
                labels = {**old.labels, **obj["metadata"]["labels"], NAMESPACE_NAME_LABEL: name}
                namespaces[name] = replace(old, labels=labels, implicit=False)
        progress(total, total, f"{len(pods)} pod(s) ready")
        return replace(scenario, pods=tuple(pods), namespaces=namespaces)

    def _apply(self, manifest: dict) -> None:
        try:
            self.kube.apply(manifest)
        except KubeError as e:
            raise LabError(str(e)) from None

    def _object(self, obj) -> dict:
        try:
            return manifests.object_manifest(obj, self.lab_id)
        except (ValueError, TypeError) as e:  # what the manifest writer cannot express (e.g. domainNames peers)
            raise LabError(f"npkit cannot apply {obj.ref} to the cluster: {e}") from None

    def apply_tiers(self, tiers: Sequence[Tier], progress: Progress = no_progress) -> None:
        if tiers and self.cni != "calico":
            raise LabError("Calico tiers need the Calico cluster: `npkit lab down && npkit lab up --cni calico`")
        self._check_guard()
        for i, tier in enumerate(tiers):
            progress(i, len(tiers), f"applying {tier.ref}")
            self._apply(self._object(tier))

    def apply(self, policies: Sequence[AnyPolicy], progress: Progress = no_progress) -> None:
        self._check_guard()
        live = {n["metadata"]["name"]: n["metadata"].get("labels") or {} for n in self.kube.list("v1", "Namespace")}
        for policy in policies:
            outside = reach_outside(policy, live, self.lab_id)
            if outside:
                shown = ", ".join(outside[:6]) + (" ..." if len(outside) > 6 else "")
                raise LabError(
                    f"refusing to apply {policy.ref}: it would select pods outside this lab's namespaces "
                    f"({shown}), and on a real cluster that can cut DNS or the Calico API server. Limit it to "
                    f"the lab, e.g. namespaceSelector: npkit.io/lab == '{self.lab_id}'.")
        for i, policy in enumerate(policies):
            manifest = self._object(policy)
            if manifest["apiVersion"] == CALICO_API and self.cni != "calico":
                raise LabError(f"{policy.ref} is a Calico object, and this kind cluster runs kindnet; "
                               "use the Calico cluster: `npkit lab down && npkit lab up --cni calico`")
            progress(i, len(policies), f"applying {policy.ref}")
            self._apply(manifest)
        progress(len(policies), len(policies), f"applied {len(policies)} object(s)")

    def delete(self, policies: Sequence[AnyPolicy], progress: Progress = no_progress) -> None:
        self._check_guard()
        for i, policy in enumerate(policies):
            manifest = self._object(policy)
            meta = manifest["metadata"]
            progress(i, len(policies), f"deleting {policy.ref}")
            try:
                self.kube.delete(manifest["apiVersion"], manifest["kind"], meta["name"], meta.get("namespace"))
            except KubeError as e:
                raise LabError(str(e)) from None

    def teardown(self, progress: Progress = no_progress) -> None:
        self._check_guard()
        selector = lab_selector(self.lab_id)
        try:
            for api_version, kind in CLUSTER_SCOPED:
                if not self.kube.has_api(api_version, kind):
                    continue
                for obj in self.kube.list(api_version, kind, label_selector=selector):
                    if owned_by(obj["metadata"].get("labels"), self.lab_id):  # never trust the filter alone
                        progress(0, 1, f"deleting {kind} {obj['metadata']['name']}")
                        self.kube.delete(api_version, kind, obj["metadata"]["name"])
            names = [n["metadata"]["name"] for n in self.kube.list("v1", "Namespace", label_selector=selector)
                     if owned_by(n["metadata"].get("labels"), self.lab_id)]
            for name in names:
                progress(0, 1, f"deleting namespace {name}")
                self.kube.delete("v1", "Namespace", name)
        except KubeError as e:
            raise LabError(f"clean-up failed: {e}; run it again (it is safe to repeat)") from None
        self._pods.clear()
        # The next deploy may reuse the names: wait until the namespaces are really gone.
        self._wait(lambda: [f"namespace {n} (terminating)" for n in names
                            if self.kube.get("v1", "Namespace", n) is not None],
                   "namespace deletion", 180, progress, 0, 1)
        progress(1, 1, f"removed {len(names)} lab namespace(s)")

    # -- probing ----------------------------------------------------------------------------
    def _probe_one(self, request: ProbeRequest, timeout: float) -> ProbeResult:
        src, dst = self._pods.get(request.src), self._pods.get(request.dst)
        if src is None or dst is None:
            missing = request.src if src is None else request.dst
            return ProbeResult(request, "ERROR", f"{missing} was not deployed by this lab")
        if request.port is None or request.protocol not in agnhost.PROBE_PROTOCOLS:
            return ProbeResult(request, "ERROR", f"agnhost connect cannot probe {request.protocol} without a port")
        ns, pod = request.src.split("/", 1)
        argv = agnhost.connect_argv(dst[0], request.port, request.protocol, timeout)
        try:
            result = self.kube.exec(ns, pod, src[1], argv, timeout + EXEC_GRACE)
        except Exception as e:  # noqa: BLE001 - one failed exec is one ERROR cell, not a failed lab
            return ProbeResult(request, "ERROR", f"exec failed: {e}")
        if result.returncode is None and not result.stderr:
            return ProbeResult(request, "ERROR", "the probe did not finish")
        outcome, detail = agnhost.parse_connect(result.returncode, result.stderr)
        return ProbeResult(request, outcome, detail)  # type: ignore[arg-type]

    def probe(self, requests: Sequence[ProbeRequest], timeout: float = 1.0, workers: int = 8,
              progress: Progress = no_progress) -> list[ProbeResult]:
        total, done, lock = len(requests), 0, threading.Lock()
        progress(0, total, f"probing {total} connection(s) with {workers} worker(s)")

        def run(request: ProbeRequest) -> ProbeResult:
            nonlocal done
            result = self._probe_one(request, timeout)
            with lock:
                done += 1
                progress(done, total, f"{request.src} → {request.dst}: {result.outcome}")
            return result

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            return list(pool.map(run, requests))

    # -- looking inside -----------------------------------------------------------------------
    def _node_exec(self, node: str, argv: Sequence[str]) -> str:
        runtime = container_runtime(self.runner) or "docker"
        result = self.runner.run([runtime, "exec", node, *argv], timeout=60)
        if not result.ok:
            raise LabError(f"`{runtime} exec {node} {' '.join(argv)}` failed: {result.message()}")
        return result.stdout

    def rules(self, pod: str) -> str:
        """The iptables chains Felix wrote for the pod (Calico), or kindnet's nftables table."""
        ns, name = pod.split("/", 1)
        live = self.kube.get("v1", "Pod", name, ns)
        if live is None or not (live.get("status") or {}).get("podIP"):
            raise LabError(f"pod {pod} is not running in the lab cluster")
        node, ip = live["spec"]["nodeName"], live["status"]["podIP"]
        if self.cni != "calico":
            return self._node_exec(node, ["nft", "list", "table", "inet", "kindnet-network-policies"])
        route = self._node_exec(node, ["ip", "route", "get", ip])
        m = re.search(r"\bdev (\S+)", route)
        if m is None:
            raise LabError(f"no route to {ip} on node {node}: {route.strip()}")
        iface = m.group(1)
        text = self._node_exec(node, ["iptables-save", "-t", "filter"])
        chains = pod_chains(text, iface)
        if not chains:
            return f"no Calico chains for interface {iface} on node {node} (is Calico running in iptables mode?)"
        header = (f"# {pod} is {ip} on node {node}, interface {iface}\n"
                  f"# cali-tw-{iface}: its ingress pipeline; cali-fw-{iface}: its egress pipeline\n")
        return header + chains

    def logs(self, tail: int = 200) -> str:
        """Kernel lines from Calico Log rules (prefix calico-packet) on every node, newest last."""
        lines: list[str] = []
        for node in self.kind.nodes(self.cluster):
            out = self._node_exec(node, ["dmesg"])
            lines += [f"{node}: {line}" for line in out.splitlines() if "calico-packet" in line]
        if not lines:
            return ("no calico-packet lines in the nodes' kernel log. Inside a kind node (a container with its "
                    "own network namespace) the kernel drops LOG output unless the host allows it: run "
                    "`sudo sysctl -w net.netfilter.nf_log_all_netns=1` on the Docker host, then probe again.")
        return "\n".join(lines[-tail:])


def pod_chains(iptables_save: str, iface: str) -> str:
    """The pod's to/from chains and every cali- chain they reach, rules in order.

    >>> text = ":cali-tw-cali1 - [0:0]\\n:cali-pi-x - [0:0]\\n:cali-other - [0:0]\\n" \\
    ...        "-A cali-tw-cali1 -j cali-pi-x\\n-A cali-pi-x -j ACCEPT\\n-A cali-other -j DROP\\n"
    >>> print(pod_chains(text, "cali1"))
    -A cali-tw-cali1 -j cali-pi-x
    -A cali-pi-x -j ACCEPT
    """
    rules: dict[str, list[str]] = {}
    for line in iptables_save.splitlines():
        if line.startswith("-A "):
            chain = line.split()[1]
            rules.setdefault(chain, []).append(line)
    order: list[str] = []
    todo = [f"cali-tw-{iface}", f"cali-fw-{iface}"]
    while todo:
        chain = todo.pop(0)
        if chain in order or chain not in rules:
            continue
        order.append(chain)
        for line in rules[chain]:
            m = re.search(r" -[jg] (cali-\S+)", line)
            if m and m.group(1) not in order:
                todo.append(m.group(1))
    return "\n".join(line for chain in order for line in rules[chain])

