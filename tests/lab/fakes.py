"""Fakes for the lab tests: a runner, an in-memory Kubernetes API, and an observing backend whose
"reality" is scripted (so the session's logic can be checked without a cluster).

The runner's and the API's answers copy the real tools' formats (kind v0.31, docker's CLI, the
API server's Status messages, Calico 3.32's API server), failures included, so a change that
would break on the real thing breaks here first.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from npkit.cluster.kube import ExecResult, KubeError
from npkit.cluster.readiness import Clock
from npkit.cluster.runner import Result
from npkit.engine import Engine
from npkit.lab.backend import LabBackend, ProbeRequest, ProbeResult, Progress, no_progress
from npkit.model import Cluster

CALICO = "projectcalico.org/v3"
OPERATOR = "operator.tigera.io/v1"

# -- what the real tools print (kind v0.31.0 pkg/internal/cli/status.go, cmd/kind/app/main.go;
#    docker/cli cli/command/system/info.go) ------------------------------------------------
KIND_CREATE_OK = """\
Creating cluster "npkit-lab" ...
 • Ensuring node image (kindest/node:v1.35.0) 🖼  ...
 ✓ Ensuring node image (kindest/node:v1.35.0) 🖼
 • Preparing nodes 📦 📦 📦   ...
 ✓ Preparing nodes 📦 📦 📦
 • Writing configuration 📜  ...
 ✓ Writing configuration 📜
 • Starting control-plane 🕹️  ...
 ✓ Starting control-plane 🕹️
 • Installing StorageClass 💾  ...
 ✓ Installing StorageClass 💾
 • Joining worker nodes 🚜  ...
 ✓ Joining worker nodes 🚜
Set kubectl context to "kind-npkit-lab"
You can now use your cluster with:

kubectl cluster-info --context kind-npkit-lab

Have a nice day! 👋
"""
KIND_CREATE_FAILED = """\
Creating cluster "npkit-lab" ...
 • Ensuring node image (kindest/node:v1.35.0) 🖼  ...
 ✓ Ensuring node image (kindest/node:v1.35.0) 🖼
 • Preparing nodes 📦 📦 📦   ...
 ✓ Preparing nodes 📦 📦 📦
 • Writing configuration 📜  ...
 ✓ Writing configuration 📜
 • Starting control-plane 🕹️  ...
 ✗ Starting control-plane 🕹️
Deleting cluster "npkit-lab" ...
Deleted nodes: ["npkit-lab-worker2" "npkit-lab-control-plane" "npkit-lab-worker"]
ERROR: failed to create cluster: failed to init node with kubeadm: command "docker exec --privileged \
npkit-lab-control-plane kubeadm init --skip-phases=preflight --config=/kind/kubeadm.conf --skip-token-print \
--v=6" failed with error: exit status 1

Command Output: I0612 10:01:02.000000     212 initconfiguration.go:255] loading configuration from "/kind/kubeadm.conf"
[kubelet-check] Waiting for a healthy kubelet at http://127.0.0.1:10248/healthz. This can take up to 4m0s
[kubelet-check] The kubelet is not healthy after 4m0.000437s
error execution phase wait-control-plane: failed while waiting for the kubelet to start
"""
KIND_ALREADY_EXISTS = 'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "npkit-lab"\n'
DOCKER_DOWN = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
KIND_LIST_DOCKER_DOWN = (
    "ERROR: failed to list clusters: command \"docker ps -a --filter label=io.x-k8s.kind.cluster --format "
    "'{{.Label \"io.x-k8s.kind.cluster\"}}'\" failed with error: exit status 1\n\n"
    f"Command Output: {DOCKER_DOWN}\n")
DOCKER_INFO_OK = """\
Client: Docker Engine - Community
 Version:    28.2.2
 Context:    default

Server:
 Containers: 3
 Server Version: 28.2.2
 Storage Driver: overlay2
 Cgroup Driver: systemd
 Cgroup Version: 2
 Kernel Version: 6.8.0-60-generic
 Operating System: Ubuntu 24.04.2 LTS
"""
DOCKER_INFO_CGROUP_V1 = DOCKER_INFO_OK.replace("Cgroup Driver: systemd\n Cgroup Version: 2",
                                               "Cgroup Driver: cgroupfs\n Cgroup Version: 1")
DOCKER_INFO_DOWN_OUT = "Client: Docker Engine - Community\n Version:    28.2.2\n Context:    default\n\nServer:\n"
DOCKER_INFO_DOWN_ERR = f"ERROR: {DOCKER_DOWN}\nerrors pretty printing info\n"


class FakeClock(Clock):
    """Time that passes only when slept."""

    def __init__(self):
        self.t = 0.0
        super().__init__(now=lambda: self.t, sleep=self._sleep)

    def _sleep(self, seconds):
        self.t += seconds


@dataclass
class FakeRunner:
    """Answers commands from a table of argv prefixes; records every call (and what went to stdin)."""

    answers: dict[tuple[str, ...], Result] = field(default_factory=dict)
    programs: set[str] = field(default_factory=lambda: {"docker", "kind", "kubectl"})
    calls: list[tuple[str, ...]] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    on_call: dict[tuple[str, ...], Callable[[tuple[str, ...]], None]] = field(default_factory=dict)  # run first

    def run(self, argv, timeout: float = 60.0, input: str | None = None) -> Result:
        argv = tuple(argv)
        self.calls.append(argv)
        if input is not None:
            self.inputs.append(input)
        for prefix in sorted(self.on_call, key=len, reverse=True):
            if argv[: len(prefix)] == prefix:
                self.on_call[prefix](argv)
                break
        for prefix in sorted(self.answers, key=len, reverse=True):
            if argv[: len(prefix)] == prefix:
                answer = self.answers[prefix]
                return replace(answer, argv=argv)
        if argv[0] not in self.programs:
            return Result(argv, 127, "", f"{argv[0]}: command not found")
        return Result(argv, 0, "", "")

    def stream(self, argv, on_line, timeout: float) -> Result:
        result = self.run(argv, timeout)
        for line in (result.stdout + result.stderr).splitlines():
            on_line(line)
        return result

    def which(self, program: str) -> str | None:
        return f"/usr/bin/{program}" if program in self.programs else None


def healthy_runner(**more: Result) -> FakeRunner:
    """A machine with docker running (cgroup v2), kind v0.31.0, kubectl 1.35 and a lab cluster."""
    answers = {
        ("docker", "info"): Result((), 0, DOCKER_INFO_OK, ""),
        ("kind", "version"): Result((), 0, "kind v0.31.0 go1.25.5 linux/amd64\n", ""),
        ("kubectl", "version", "--client"): Result((), 0, "Client Version: v1.35.0\nKustomize Version: v5.7.1\n", ""),
        ("kind", "get", "clusters"): Result((), 0, "npkit-lab\n", ""),
        ("kind", "get", "nodes"): Result((), 0, "npkit-lab-control-plane\nnpkit-lab-worker\nnpkit-lab-worker2\n", ""),
        ("kind", "create", "cluster"): Result((), 0, "", KIND_CREATE_OK),
        ("kind", "delete", "cluster"): Result((), 0, "", 'Deleting cluster "npkit-lab" ...\n'),
    }
    answers.update({tuple(k.split()): v for k, v in more.items()})
    return FakeRunner(answers)


def roomy_sysctl(name: str) -> str | None:
    """A host whose inotify limits are what kind recommends."""
    return {"fs.inotify.max_user_watches": "524288", "fs.inotify.max_user_instances": "512"}.get(name)


def _ready(kind: str = "Ready") -> dict:
    return {"conditions": [{"type": kind, "status": "True"}]}


class FakeKube:
    """Just enough of the Kubernetes API, behaving like the real one where the lab depends on it:

    - objects by (apiVersion, kind, namespace, name), each with a uid and a resourceVersion;
    - create of an existing object answers 409 AlreadyExists (the object stays as it was);
      replace needs the current resourceVersion; delete honours a UID precondition (409);
    - namespace deletion is asynchronous: the namespace is Terminating (refusing new content,
      403) for `terminating_reads` reads, then disappears with everything in it;
    - the ServiceAccount controller makes `default` in a new namespace after `sa_after` reads,
      and a pod whose ServiceAccount does not exist is refused (403), as admission does;
    - Calico's API server refuses to delete a Tier that still holds a policy (500, clientv3 tier.go);
    - `cni` decides what is served: "calico" (operator + projectcalico.org/v3), "kindnet", "none".
    """

    CORE = {
        ("v1", "Namespace"), ("v1", "Pod"), ("v1", "ServiceAccount"), ("v1", "Node"), ("v1", "ConfigMap"),
        ("apps/v1", "DaemonSet"), ("networking.k8s.io/v1", "NetworkPolicy"),
    }
    CALICO_KINDS = {
        (CALICO, "Tier"), (CALICO, "GlobalNetworkPolicy"), (CALICO, "NetworkPolicy"), (CALICO, "GlobalNetworkSet"),
        (CALICO, "NetworkSet"), (CALICO, "StagedGlobalNetworkPolicy"), (CALICO, "StagedNetworkPolicy"),
        (OPERATOR, "TigeraStatus"), (OPERATOR, "Installation"),
    }
    CLUSTER_SCOPED = {"Namespace", "Node", "Tier", "GlobalNetworkPolicy", "GlobalNetworkSet", "StagedGlobalNetworkPolicy",
                      "TigeraStatus", "Installation", "ClusterNetworkPolicy"}

    def __init__(self, context: str = "kind-npkit-lab", server: str = "https://127.0.0.1:40123",
                 exec_fn=None, ready_after: int = 1, cni: str = "calico", terminating_reads: int = 2,
                 sa_after: int = 1):
        self.context, self.server = context, server
        self.now = "2026-06-12T10:00:00Z"  # creationTimestamp of what is created from now on
        self.cni = cni
        self.objects: dict[tuple, dict] = {}
        self.calls: list[tuple] = []
        self.exec_fn = exec_fn
        self.ready_after = ready_after  # reads of a pod before it reports Ready
        self.terminating_reads = terminating_reads
        self.sa_after = sa_after
        self._reads: dict[tuple, int] = {}
        self._uids = (f"uid-{i}" for i in itertools.count(1))
        self._versions = itertools.count(100)
        self._ips = (f"192.168.{i // 250}.{i % 250 + 2}" for i in itertools.count())
        self.SERVED = self.CORE | (self.CALICO_KINDS if cni == "calico" else set())
        for ns in ("default", "kube-system", "calico-system"):
            self._store(("v1", "Namespace", None, ns), {
                "apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}}})
            self._store(("v1", "ServiceAccount", ns, "default"), {
                "apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": ns}})

    # -- helpers ---------------------------------------------------------------------------
    def _store(self, key: tuple, manifest: dict, uid: str | None = None) -> dict:
        obj = copy.deepcopy(manifest)
        meta = obj.setdefault("metadata", {})
        before = (self.objects.get(key) or {}).get("metadata") or {}
        meta["creationTimestamp"] = before.get("creationTimestamp") or self.now
        meta["uid"] = uid or next(self._uids)
        meta["resourceVersion"] = str(next(self._versions))
        if key[2] is not None:
            meta["namespace"] = key[2]
        self.objects[key] = obj
        return copy.deepcopy(obj)

    def _served(self, api: str, kind: str) -> None:
        if (api, kind) not in self.SERVED:
            raise KubeError(f"the cluster does not serve {kind} ({api})", 404)

    def _key(self, manifest: dict) -> tuple:
        api, kind, meta = manifest["apiVersion"], manifest["kind"], manifest["metadata"]
        self._served(api, kind)
        return (api, kind, None if kind in self.CLUSTER_SCOPED else meta.get("namespace"), meta["name"])

    def _admit(self, key: tuple, manifest: dict) -> None:
        """What the API server's admission refuses."""
        api, kind, namespace, name = key
        if namespace is None:
            return
        ns = self.objects.get(("v1", "Namespace", None, namespace))
        if ns is None:
            raise KubeError(f'namespaces "{namespace}" not found', 404)
        if (ns.get("status") or {}).get("phase") == "Terminating":
            raise KubeError(f'{kind.lower()}s "{name}" is forbidden: unable to create new content in namespace '
                            f"{namespace} because it is being terminated", 403)
        if kind == "Pod":
            account = manifest["spec"].get("serviceAccountName") or "default"
            if ("v1", "ServiceAccount", namespace, account) not in self.objects:
                raise KubeError(f'pods "{name}" is forbidden: error looking up service account '
                                f'{namespace}/{account}: serviceaccount "{account}" not found', 403)

    def _new(self, key: tuple, manifest: dict) -> dict:
        obj = copy.deepcopy(manifest)
        if key[1] == "Pod":
            obj["status"] = {"phase": "Pending"}
            obj["spec"]["nodeName"] = "npkit-lab-worker"
            self._reads[key] = 0
        return self._store(key, obj)

    def _gone_after_terminating(self, key: tuple) -> None:
        """A deleted namespace goes away, with everything in it, after a few reads."""
        obj = self.objects.get(key)
        if obj is None or (obj.get("status") or {}).get("phase") != "Terminating":
            return
        self._reads[key] = self._reads.get(key, 0) + 1
        if self._reads[key] > self.terminating_reads:
            for k in [k for k in self.objects if k[2] == key[3]]:
                del self.objects[k]
            del self.objects[key]

    def _service_account_controller(self, namespace: str) -> None:
        """The `default` ServiceAccount of a new namespace appears after a few reads of it."""
        key = ("v1", "ServiceAccount", namespace, "default")
        ns = self.objects.get(("v1", "Namespace", None, namespace))
        if key in self.objects or ns is None or (ns.get("status") or {}).get("phase") == "Terminating":
            return
        self._reads[key] = self._reads.get(key, 0) + 1
        if self._reads[key] >= self.sa_after:
            self._store(key, {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}})

    # -- Kube ------------------------------------------------------------------------------
    def version(self) -> str:
        self.calls.append(("version",))
        return "v1.35.0"

    def has_api(self, api_version: str, kind: str) -> bool:
        self.calls.append(("has_api", api_version, kind))
        return (api_version, kind) in self.SERVED

    def create(self, manifest: dict) -> dict:
        key = self._key(manifest)
        self.calls.append(("create", key[1], key[2], key[3]))
        if key in self.objects:
            group = key[0].split("/")[0] if "/" in key[0] else ""
            plural = key[1].lower() + "s" + (f".{group}" if group else "")
            raise KubeError(f'creating {key[1]} {key[3]}: {plural} "{key[3]}" already exists', 409)
        self._admit(key, manifest)
        return self._new(key, manifest)

    def replace(self, manifest: dict) -> dict:
        key = self._key(manifest)
        self.calls.append(("replace", key[1], key[2], key[3]))
        current = self.objects.get(key)
        if current is None:
            raise KubeError(f'{key[1].lower()}s "{key[3]}" not found', 404)
        if manifest["metadata"].get("resourceVersion") != current["metadata"]["resourceVersion"]:
            raise KubeError(f'Operation cannot be fulfilled on {key[1].lower()}s "{key[3]}": the object has been '
                            "modified; please apply your changes to the latest version and try again", 409)
        return self._store(key, {**manifest, "status": current.get("status")}, uid=current["metadata"]["uid"])

    def apply(self, manifest: dict) -> dict:
        """Server-side apply, forced: create or update, keeping the object's identity."""
        key = self._key(manifest)
        self.calls.append(("apply", key[1], key[2], key[3]))
        current = self.objects.get(key)
        if current is None:
            self._admit(key, manifest)
            return self._new(key, manifest)
        return self._store(key, {**manifest, "status": current.get("status"),
                                 "spec": {**(current.get("spec") or {}), **(manifest.get("spec") or {})}},
                           uid=current["metadata"]["uid"])

    def delete(self, api_version: str, kind: str, name: str, namespace: str | None = None,
               uid: str | None = None) -> bool:
        self._served(api_version, kind)
        self.calls.append(("delete", kind, namespace, name))
        key = (api_version, kind, namespace, name)
        obj = self.objects.get(key)
        if obj is None:
            return False
        if uid is not None and uid != obj["metadata"]["uid"]:
            raise KubeError(f"deleting {kind} {name}: Precondition failed: UID in precondition: {uid}, UID in "
                            f"object meta: {obj['metadata']['uid']}", 409)
        if kind == "Tier":
            holders = [k for k, o in self.objects.items()
                       if k[0] == CALICO and "Policy" in k[1] and (o.get("spec") or {}).get("tier") == name]
            if holders:
                raise KubeError(f"deleting Tier {name}: Internal error occurred: operation delete is not supported "
                                f"on {name}: Cannot delete a non-empty tier", 500)
        if kind == "Namespace":
            obj.setdefault("status", {})["phase"] = "Terminating"
            obj["metadata"]["deletionTimestamp"] = "2026-06-12T10:00:00Z"
            self._reads[key] = 0
            return True
        del self.objects[key]
        return True

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict | None:
        self.calls.append(("get", kind, namespace, name))
        self._served(api_version, kind)
        key = (api_version, kind, namespace, name)
        if kind == "Namespace":
            self._gone_after_terminating(key)
        if kind == "ServiceAccount" and name == "default" and namespace:
            self._service_account_controller(namespace)
        obj = self.objects.get(key)
        if obj is not None and kind == "Pod":
            self._reads[key] = self._reads.get(key, 0) + 1
            if self._reads[key] > self.ready_after and obj["status"].get("phase") != "Running":
                obj["status"] = {"phase": "Running", "podIP": next(self._ips), "conditions": _ready()["conditions"]}
        return copy.deepcopy(obj)

    def list(self, api_version: str, kind: str, namespace: str | None = None,
             label_selector: str | None = None) -> list[dict]:
        self.calls.append(("list", kind, namespace, label_selector))
        self._served(api_version, kind)
        if kind == "Namespace":
            for key in [k for k in self.objects if k[:2] == ("v1", "Namespace")]:
                self._gone_after_terminating(key)
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

    def writes(self) -> list[tuple]:
        """The calls that changed something."""
        return [c for c in self.calls if c[0] in ("create", "replace", "apply", "delete")]


def installed_cluster(cni: str = "calico", pod_subnet: str | None = None, **kw) -> FakeKube:
    """A kind cluster as `npkit lab up` leaves it: nodes Ready, kubeadm's stored ClusterConfiguration,
    and for Calico the Installation, the TigeraStatus set of a real 3.32 install and the built-in tiers."""
    kube = FakeKube(cni=cni, **kw)
    subnet = pod_subnet or ("192.168.0.0/16" if cni != "kindnet" else "10.244.0.0/16")
    for node in ("npkit-lab-control-plane", "npkit-lab-worker", "npkit-lab-worker2"):
        kube._store(("v1", "Node", None, node), {"apiVersion": "v1", "kind": "Node", "metadata": {"name": node},
                                                 "status": _ready()})
    kube._store(("v1", "ConfigMap", "kube-system", "kubeadm-config"), {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kubeadm-config"},
        "data": {"ClusterConfiguration": "apiServer: {}\napiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n"
                                         "kubernetesVersion: v1.35.0\nnetworking:\n  dnsDomain: cluster.local\n"
                                         f"  podSubnet: {subnet}\n  serviceSubnet: 10.96.0.0/16\n"}})
    if cni == "kindnet":
        kube._store(("apps/v1", "DaemonSet", "kube-system", "kindnet"),
                    {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "kindnet"}})
    if cni == "calico":
        install_calico(kube, subnet)
    kube.calls.clear()
    return kube


def install_calico(kube: FakeKube, subnet: str = "192.168.0.0/16") -> None:
    """What the operator has made once Calico is up: its API served, the Installation, every component of
    a 3.32 install Available (tigera/operator v1.42 controllers), the three built-in tiers."""
    kube.cni = "calico"
    kube.SERVED = kube.CORE | kube.CALICO_KINDS
    kube._store((OPERATOR, "Installation", None, "default"),
                {"apiVersion": OPERATOR, "kind": "Installation", "metadata": {"name": "default"},
                 "spec": {"calicoNetwork": {"ipPools": [{"cidr": subnet}]}}})
    for name in ("apiserver", "calico", "goldmane", "ippools", "whisker"):
        kube._store((OPERATOR, "TigeraStatus", None, name),
                    {"apiVersion": OPERATOR, "kind": "TigeraStatus", "metadata": {"name": name},
                     "status": {"conditions": [{"type": "Available", "status": "True"},
                                               {"type": "Progressing", "status": "False"},
                                               {"type": "Degraded", "status": "False"}]}})
    for tier, order in (("default", 1000000), ("kube-admin", 1000), ("kube-baseline", 10000000)):
        kube._store((CALICO, "Tier", None, tier), {"apiVersion": CALICO, "kind": "Tier", "metadata": {"name": tier},
                                                   "spec": {"order": order}})


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
