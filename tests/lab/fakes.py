"""Fakes for the lab tests: a runner, an in-memory Kubernetes API, and an observing backend whose
"reality" is scripted (so the session's logic can be checked without a cluster)."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from npkit.cluster.kube import ExecResult, KubeError
from npkit.cluster.readiness import Clock
from npkit.cluster.runner import Result
from npkit.engine import Engine
from npkit.lab.backend import LabBackend, ProbeRequest, ProbeResult, Progress, no_progress
from npkit.model import Cluster

CALICO = "projectcalico.org/v3"


class FakeClock(Clock):
    """Time that passes only when slept."""

    def __init__(self):
        self.t = 0.0
        super().__init__(now=lambda: self.t, sleep=self._sleep)

    def _sleep(self, seconds):
        self.t += seconds


@dataclass
class FakeRunner:
    """Answers commands from a table of argv prefixes; records every call."""

    answers: dict[tuple[str, ...], Result] = field(default_factory=dict)
    programs: set[str] = field(default_factory=lambda: {"docker", "kind", "kubectl"})
    calls: list[tuple[str, ...]] = field(default_factory=list)

    def run(self, argv, timeout: float = 60.0) -> Result:
        argv = tuple(argv)
        self.calls.append(argv)
        for prefix in sorted(self.answers, key=len, reverse=True):
            if argv[: len(prefix)] == prefix:
                return replace(self.answers[prefix], argv=argv)
        if argv[0] not in self.programs:
            return Result(argv, 127, "", f"{argv[0]}: command not found")
        return Result(argv, 0, "", "")

    def which(self, program: str) -> str | None:
        return f"/usr/bin/{program}" if program in self.programs else None


def healthy_runner(**more: Result) -> FakeRunner:
    """A machine with docker running, kind v0.31.0 and kubectl 1.35."""
    answers = {
        ("docker", "info"): Result((), 0, "Server Version: 28.2.2", ""),
        ("kind", "version"): Result((), 0, "kind v0.31.0 go1.25.5 linux/amd64\n", ""),
        ("kubectl", "version", "--client"): Result((), 0, "Client Version: v1.35.0\n", ""),
        ("kind", "get", "clusters"): Result((), 0, "npkit-lab\n", ""),
    }
    answers.update({tuple(k.split()): v for k, v in more.items()})
    return FakeRunner(answers)


class FakeKube:
    """Just enough of the Kubernetes API: objects by (apiVersion, kind, namespace, name)."""

    SERVED = {
        ("v1", "Namespace"), ("v1", "Pod"), ("v1", "ServiceAccount"), ("v1", "Node"),
        ("networking.k8s.io/v1", "NetworkPolicy"), (CALICO, "Tier"), (CALICO, "GlobalNetworkPolicy"),
        (CALICO, "NetworkPolicy"), (CALICO, "GlobalNetworkSet"), ("operator.tigera.io/v1", "TigeraStatus"),
    }

    def __init__(self, context: str = "kind-npkit-lab", server: str = "https://127.0.0.1:40123",
                 exec_fn=None, ready_after: int = 1):
        self.context, self.server = context, server
        self.objects: dict[tuple, dict] = {}
        self.calls: list[tuple] = []
        self.exec_fn = exec_fn
        self.ready_after = ready_after  # reads of a pod before it reports Ready
        self._reads: dict[tuple, int] = {}
        self._ips = (f"192.168.{i // 250}.{i % 250 + 2}" for i in itertools.count())
        for ns in ("default", "kube-system", "calico-system"):
            self.objects[("v1", "Namespace", None, ns)] = {
                "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}}}

    def version(self) -> str:
        return "v1.35.0"

    def has_api(self, api_version: str, kind: str) -> bool:
        return (api_version, kind) in self.SERVED

    def apply(self, manifest: dict) -> None:
        api, kind, meta = manifest["apiVersion"], manifest["kind"], manifest["metadata"]
        if (api, kind) not in self.SERVED:
            raise KubeError(f"the cluster does not serve {kind} ({api})")
        key = (api, kind, meta.get("namespace"), meta["name"])
        self.calls.append(("apply", kind, meta.get("namespace"), meta["name"]))
        obj = copy.deepcopy(manifest)
        if kind == "Pod" and key not in self.objects:
            obj["status"] = {"phase": "Pending"}
            obj["spec"]["nodeName"] = "npkit-lab-worker"
            self._reads[key] = 0
        self.objects[key] = obj

    def delete(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> bool:
        self.calls.append(("delete", kind, namespace, name))
        existed = self.objects.pop((api_version, kind, namespace, name), None) is not None
        if kind == "Namespace":
            for key in [k for k in self.objects if k[2] == name]:
                del self.objects[key]
        return existed

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict | None:
        key = (api_version, kind, namespace, name)
        obj = self.objects.get(key)
        if obj is not None and kind == "Pod":
            self._reads[key] = self._reads.get(key, 0) + 1
            if self._reads[key] > self.ready_after and obj["status"].get("phase") != "Running":
                obj["status"] = {"phase": "Running", "podIP": next(self._ips),
                                 "conditions": [{"type": "Ready", "status": "True"}]}
        return copy.deepcopy(obj)

    def list(self, api_version: str, kind: str, namespace: str | None = None,
             label_selector: str | None = None) -> list[dict]:
        out = []
        for (api, k, ns, _), obj in self.objects.items():
            if (api, k) != (api_version, kind) or (namespace is not None and ns != namespace):
                continue
            labels = obj["metadata"].get("labels") or {}
            if label_selector:
                key, _, value = label_selector.partition("=")
                if key not in labels or (value and labels[key] != value):
                    continue
            out.append(copy.deepcopy(obj))
        return out

    def exec(self, namespace, pod, container, argv, timeout) -> ExecResult:
        self.calls.append(("exec", namespace, pod, container, tuple(argv)))
        return self.exec_fn(namespace, pod, container, list(argv)) if self.exec_fn else ExecResult(0)

    def logs(self, namespace, pod, container=None, tail=None) -> str:
        return ""

    def namespaces(self) -> set[str]:
        return {k[3] for k in self.objects if k[1] == "Namespace"}


class SimBackend(LabBackend):
    """An observing backend whose network is the engine itself, with scripted faults:
    `enforcing=False` lets everything through (a CNI without policy); `faults[(src, dst)]`
    is a list of outcomes returned by successive probes of that cell before the truth."""

    name = "sim"
    settle = 0.0

    def __init__(self, enforcing: bool = True, faults: dict | None = None, lab_id: str | None = None):
        self.enforcing = enforcing
        self.faults = {k: list(v) for k, v in (faults or {}).items()}
        self.lab_id = lab_id
        self.scenario: Cluster | None = None
        self.policies: dict[tuple, object] = {}
        self.tiers: dict = {}
        self.teardowns = 0
        self.probed: list[ProbeRequest] = []
        self.fail_apply: BaseException | None = None

    @classmethod
    def from_config(cls, config) -> SimBackend:
        return cls(lab_id=config.lab_id)

    def describe(self) -> str:
        return "a simulated network"

    def preflight(self) -> list[str]:
        return []

    def up(self, progress: Progress = no_progress) -> None:
        pass

    def down(self, progress: Progress = no_progress) -> None:
        pass

    def status(self) -> str:
        return "simulated"

    def deploy(self, scenario: Cluster, progress: Progress = no_progress) -> Cluster:
        pods = tuple(replace(p, ip=f"10.99.0.{i + 1}", ip_assigned=False) for i, p in enumerate(scenario.pods))
        self.scenario = replace(scenario, pods=pods) if self.scenario is None else \
            self.scenario.merged(replace(scenario, pods=pods))
        return replace(scenario, pods=pods)

    def apply_tiers(self, tiers, progress: Progress = no_progress) -> None:
        self.tiers.update((t.name, t) for t in tiers)

    def apply(self, policies, progress: Progress = no_progress) -> None:
        if self.fail_apply is not None:
            raise self.fail_apply
        self.policies.update(((p.ref.kind, p.ref.namespace, p.ref.name), p) for p in policies)

    def delete(self, policies, progress: Progress = no_progress) -> None:
        for p in policies:
            self.policies.pop((p.ref.kind, p.ref.namespace, p.ref.name), None)

    def probe(self, requests: Sequence[ProbeRequest], timeout: float = 1.0, workers: int = 8,
              progress: Progress = no_progress) -> list[ProbeResult]:
        assert self.scenario is not None, "probe before deploy"
        world = replace(self.scenario, tiers={**self.scenario.tiers, **self.tiers}).with_policies(
            self.policies.values())
        engine = Engine(world)
        out = []
        for r in requests:
            self.probed.append(r)
            scripted = self.faults.get((r.src, r.dst))
            if scripted:
                out.append(ProbeResult(r, scripted.pop(0)))
                continue
            allowed = (not self.enforcing) or engine.allowed(r.src, r.dst, r.port, r.protocol)
            serves = any(p.port == r.port and p.protocol == r.protocol for p in world.pod(r.dst).ports)
            outcome = ("CONNECTED" if serves else "REFUSED") if allowed else "TIMEOUT"
            out.append(ProbeResult(r, outcome))
            progress(len(out), len(requests), f"{r.src} → {r.dst}")
        return out

    def teardown(self, progress: Progress = no_progress) -> None:
        self.teardowns += 1
        self.scenario = None
        self.policies.clear()
        self.tiers.clear()
