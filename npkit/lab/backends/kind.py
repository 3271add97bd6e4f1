"""The kind backend: labs on a real local Kubernetes cluster (kind + Calico or kindnet).

It drives the helpers in `npkit.cluster`: preflight, kind, the Calico install, readiness,
the safety guard, the Kubernetes facade, the lab's objects and agnhost. Nothing is sent to a
cluster — not even a read, which would carry the context's credentials — before the guard has
allowed the context (the lab's own kind context with its API server on this machine, or one the
user named). The lab only ever changes what it created (`npkit.cluster.objects`).
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from ...cluster import agnhost, calico, manifests, report
from ...cluster.guard import LAB_LABEL, ContextGuard, UnsafeTarget, reach_outside
from ...cluster.kernel_log import PodPlace, attribute
from ...cluster.kind import Kind, KindError, config_path, pod_subnet
from ...cluster.kube import CALICO_API, ClientKube, Kube, KubeError
from ...cluster.objects import CLUSTER_SCOPED, LabObjects, TierNotEmpty
from ...cluster.preflight import ReadSysctl, container_runtime, preflight, read_sysctl
from ...cluster.readiness import Clock, Timeout, nodes_waiting, pod_failed, pod_waiting, wait_until
from ...cluster.runner import Runner, SubprocessRunner
from ...cluster.versions import Versions, cluster_dir, load_versions
from ...i18n import messages
from ...model import NAMESPACE_NAME_LABEL, AnyPolicy, Cluster, Namespace, Tier
from ..backend import CleanReport, LabBackend, LabError, LabRecord, ProbeRequest, ProbeResult, Progress, no_progress
from ..config import BackendConfig, KindConfig
from ..errors import LabConfigError

_tools = messages("npkit-tools")
_, ngettext, pgettext = _tools.gettext, _tools.ngettext, _tools.pgettext

KubeFactory = Callable[[str], Kube]
EXEC_GRACE = 10.0  # seconds on top of the probe timeout before giving up on an exec
NODES_TIMEOUT, CALICO_TIMEOUT, SA_TIMEOUT = 600.0, 900.0, 60.0


def _clauses(items: list[str]) -> str:
    """Things still waited for, one after the other ("a; b"; Chinese "a；b")."""
    return pgettext("clauses", "; ").join(items)


def _bullets(problems: list[str]) -> str:
    """`- a` lines, one per problem."""
    return "\n".join(f"- {p}" for p in problems)


@dataclass(frozen=True)
class _LabPod:
    ip: str
    container: str  # the container to exec probes in
    node: str


class KindBackend(LabBackend):
    """Labs on the kind cluster `config.cluster` (default npkit-lab), context kind-<cluster>.

    `KindBackend(KindConfig(...))`, or the configuration's fields as keywords. The other keyword
    arguments replace what talks to the outside (commands, the API, time, kernel settings) in tests.
    """

    name = "kind"
    settle = 3.0  # Felix / kindnet need a moment to program a change (policy-assistant waits 5 s)
    config_type = KindConfig

    def __init__(self, config: KindConfig | None = None, *, runner: Runner | None = None,
                 kube_factory: KubeFactory | None = None, versions: Versions | None = None,
                 clock: Clock | None = None, sysctl: ReadSysctl = read_sysctl, **options: Any):
        self.config = config if config is not None else KindConfig(**options)
        self.cluster = self.config.cluster
        self.lab_id = self.config.lab_id
        self.pod_timeout = self.config.pod_timeout
        self.guard = ContextGuard(self.cluster, self.config.allow_context)
        self.runner = runner or SubprocessRunner()
        self.kind = Kind(self.runner)
        self._kube_factory = kube_factory or ClientKube
        self._kube: Kube | None = None
        self._objects: LabObjects | None = None
        self._versions = versions
        self._detected_cni: str | None = None
        self.clock = clock or Clock()
        self._read_sysctl = sysctl
        self._pods: dict[str, _LabPod] = {}

    @classmethod
    def from_config(cls, config: BackendConfig) -> KindBackend:
        if not isinstance(config, KindConfig):
            raise LabConfigError(_("the kind backend takes a KindConfig, not a {given}").format(
                given=type(config).__name__))
        return cls(config)

    # -- identity -------------------------------------------------------------------------
    @property
    def versions(self) -> Versions:
        if self._versions is None:
            self._versions = load_versions()
        return self._versions

    @property
    def kube(self) -> Kube:
        """The API of the target context, once the guard has allowed it (no request before that)."""
        if self._kube is None:
            try:
                kube = self._kube_factory(self.guard.target)
                self.guard.check(kube.context, kube.server)
            except (KubeError, UnsafeTarget) as e:
                raise LabError(str(e)) from None
            self._kube = kube
        return self._kube

    @property
    def objects(self) -> LabObjects:
        if self._objects is None or self._objects.kube is not self.kube or self._objects.lab_id != self.lab_id:
            self._objects = LabObjects(self.kube, self.lab_id)
        return self._objects

    def _reconnect(self) -> None:
        """Forget the API connection (the kubeconfig changed, or the cluster is gone)."""
        self._kube = self._objects = None
        self._detected_cni = None

    @property
    def cni(self) -> str:
        """calico or kindnet, as found on the running cluster; else as configured (calico by default)."""
        if self._detected_cni is None:
            try:
                found = calico.cluster_cni(self.kube)
            except (LabError, KubeError):
                return self.config.cni or "calico"  # not reachable yet: `lab up` installs Calico by default
            self._detected_cni = found if found != "none" else None
            return found if found != "none" else (self.config.cni or "calico")
        return self._detected_cni

    @property
    def dataplane(self) -> str:  # type: ignore[override]  # a property here: it depends on the cluster's CNI
        return "calico" if self.cni == "calico" else "kubernetes"

    def describe(self) -> str:
        if self.cni == "calico":
            return _("kind cluster {cluster} with Calico {version}, context {context}").format(
                cluster=self.cluster, version=self.versions.calico, context=self.guard.target)
        return _("kind cluster {cluster} with kindnet (Kubernetes NetworkPolicy only), context {context}").format(
            cluster=self.cluster, context=self.guard.target)

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """Cluster, kind and refusal errors as LabErrors the learner can act on."""
        try:
            yield
        except (KubeError, KindError, UnsafeTarget, TierNotEmpty, calico.InstallError) as e:
            raise LabError(str(e)) from None

    # -- environment ----------------------------------------------------------------------
    def preflight(self) -> list[str]:
        return preflight(self.runner, self.versions, read_sysctl=self._read_sysctl).problems

    def usable(self) -> list[str]:
        problems = self.preflight()
        if problems:
            return problems
        try:
            if not self.kind.exists(self.cluster):
                return [_("no kind cluster named {cluster}: run `npkit lab up --name {cluster}`").format(
                    cluster=self.cluster)]
        except KindError as e:
            return [str(e)]
        try:
            kube = self.kube
        except LabError as e:  # the guard refused the context: nothing was sent
            return [str(e)]
        try:
            kube.version()
        except KubeError as e:
            return [self._api_down(e)]
        return []

    def _api_down(self, error: Exception) -> str:
        """Why the cluster's API does not answer, and what to do (the common case: Docker restarted)."""
        try:
            nodes = self.kind.nodes(self.cluster)
        except KindError:
            nodes = []
        if nodes:
            return _("kind cluster {cluster} exists, but its API does not answer ({error}). After a restart of Docker "
                     "its node containers may be stopped: `docker start {nodes}`, or recreate the cluster with "
                     "`npkit lab down` then `npkit lab up`").format(cluster=self.cluster, error=error,
                                                                    nodes=" ".join(nodes))
        return _("kind cluster {cluster} exists, but its API does not answer ({error}). After a restart of Docker its "
                 "node containers may be stopped: start its node containers, or recreate the cluster with "
                 "`npkit lab down` then `npkit lab up`").format(cluster=self.cluster, error=error)

    def up(self, progress: Progress = no_progress) -> None:
        """Create (or reuse) the lab's kind cluster, install Calico, wait until it all answers.

        Always the kind context kind-<cluster>: `up` never installs anything into another cluster."""
        if self.config.allow_context not in (None, self.guard.lab_context):
            raise LabError(_("`npkit lab up` only creates and sets up the kind cluster {cluster} (context "
                             "{lab_context}); --context {context} is for running labs on a cluster you prepared "
                             "yourself. Leave --context out.").format(cluster=self.cluster,
                                                                      lab_context=self.guard.lab_context,
                                                                      context=self.config.allow_context))
        checked = preflight(self.runner, self.versions, read_sysctl=self._read_sysctl)
        if checked.problems:
            raise LabError(_("cannot create the lab cluster:\n{problems}").format(problems=_bullets(checked.problems)))
        cni = self.config.cni or "calico"
        steps = 4 if cni == "calico" else 2
        for note in checked.notes:
            progress(0, steps, _("note: {note}").format(note=note))
        config = config_path(cluster_dir(), cni)
        with self._errors():
            subnet = pod_subnet(config)
            exists = self.kind.exists(self.cluster)
        self._reconnect()
        if exists:
            progress(0, steps, _("kind cluster {cluster} exists; checking that it can be reused").format(
                cluster=self.cluster))
            self._check_reusable(cni, subnet)
        else:
            progress(0, steps, _("creating kind cluster {cluster} ({cni}; pulls the node image the first time)").format(
                cluster=self.cluster, cni=cni))
            with self._errors():
                self.kind.create(self.cluster, config, self.versions.node_image,
                                 lambda line: progress(0, steps, f"kind: {line.strip()}") if line.strip() else None)
            self._reconnect()  # the kubeconfig has just changed
        if cni == "calico":
            progress(1, steps, _("installing Calico {version} (Tigera operator, IP pool {subnet})").format(
                version=self.versions.calico, subnet=subnet))
            with self._errors():
                calico.install(self.runner, self.versions, self.guard.lab_context, cluster_dir(), subnet,
                               lambda message: progress(1, steps, message), self.clock)
        progress(steps - 1, steps, _("waiting for the nodes to be Ready"))
        self._wait(lambda: nodes_waiting(self.kube.list("v1", "Node")), _("nodes"), NODES_TIMEOUT, progress,
                   steps - 1, steps)
        if cni == "calico":
            progress(steps - 1, steps, _("waiting for Calico to report Available and for its v3 API"))
            self._wait(lambda: calico.status_waiting(self.kube), "Calico", CALICO_TIMEOUT, progress, steps - 1, steps)
        self._detected_cni = cni
        progress(steps, steps, _("lab cluster ready: {description}").format(description=self.describe()))

    def _check_reusable(self, cni: str, subnet: str) -> None:
        """An existing cluster is reused only when it is what `up` would make: same CNI, same pod subnet."""
        kube = self.kube  # the guard's refusal, if any, is its own message
        try:
            have_cni, have_subnet = calico.cluster_cni(kube), calico.cluster_pod_subnet(kube)
        except KubeError as e:
            raise LabError(self._api_down(e)) from None
        wrong = []
        if cni == "calico" and have_cni == "kindnet":
            wrong.append(_("it runs kindnet, not Calico"))
        elif cni == "kindnet" and have_cni != "kindnet":
            wrong.append(_("it was made for Calico (kind's own CNI is disabled in it)") if have_cni == "none"
                         else _("it runs Calico, not kindnet"))
        if have_subnet and have_subnet != subnet:
            wrong.append(_("its pod subnet is {have}, and cluster/kind-{cni}.yaml asks for {wanted}").format(
                have=have_subnet, cni=cni, wanted=subnet))
        if wrong:
            again = "npkit lab up" + (" --cni kindnet" if cni == "kindnet" else "")
            # Translators: {problems} are the clauses above ("it runs kindnet, not Calico"), joined by "; "
            raise LabError(_("kind cluster {cluster} already exists, but {problems}. `npkit lab up` does not change an "
                             "existing cluster: run `npkit lab down` first (it deletes {cluster}), then "
                             "`{command}`.").format(cluster=self.cluster, command=again,
                                                    problems=pgettext("clauses", "; ").join(wrong)))

    def down(self, progress: Progress = no_progress) -> None:
        progress(0, 1, _("deleting kind cluster {cluster}").format(cluster=self.cluster))
        with self._errors():
            self.kind.delete(self.cluster)
        self._reconnect()
        self._pods.clear()
        progress(1, 1, _("kind cluster {cluster} deleted").format(cluster=self.cluster))

    def status(self) -> str:
        problems = preflight(self.runner, self.versions, read_sysctl=self._read_sysctl).problems
        if problems:
            return _("not ready:\n{problems}").format(problems=_bullets(problems))
        with self._errors():
            if not self.kind.exists(self.cluster):
                return _("no kind cluster {cluster} (run `npkit lab up`)").format(cluster=self.cluster)
        lines = [_("kind cluster {cluster}, context {context}").format(cluster=self.cluster, context=self.guard.target)]
        kube = self.kube  # the guard's refusal, if any, is its own message
        try:
            lines.append(_("Kubernetes {version}, CNI {cni}").format(version=kube.version(), cni=self.cni))
            waiting = nodes_waiting(kube.list("v1", "Node"))
            lines.append(_("nodes: {waiting}").format(waiting=_clauses(waiting)) if waiting else _("nodes: all Ready"))
            if self.cni == "calico":
                waiting = calico.status_waiting(kube)
                lines.append(_("Calico: waiting for {waiting}").format(waiting=_clauses(waiting)) if waiting
                             else _("Calico: Available, projectcalico.org/v3 API answering"))
            labs = self._labs(kube)
        except KubeError as e:
            raise LabError(self._api_down(e)) from None
        lines += [_("lab {record}").format(record=record.line()) for record in labs] or [_("no lab is deployed")]
        return "\n".join(lines)

    def status_report(self) -> str:
        """`status` plus what a bug report needs (`npkit lab status --verbose`): the pins, tool and
        engine versions, every node, every TigeraStatus condition, system pods that are not ready."""
        checked = preflight(self.runner, self.versions, read_sysctl=self._read_sysctl)
        lines = report.environment(self.runner, self.versions) + [_("preflight note: {note}").format(note=n)
                                                                  for n in checked.notes]
        try:
            lines.append(self.status())
            lines += report.cluster(self.kube)
        except (LabError, KubeError) as e:
            lines.append(_("status: {error}").format(error=e))
        return "\n".join(lines)

    def labs(self) -> list[LabRecord] | None:
        """The labs present on the cluster: namespaces labelled npkit.io/lab, by lab id, with their age."""
        try:
            return self._labs(self.kube)
        except (LabError, KubeError):
            return None

    def _labs(self, kube: Kube) -> list[LabRecord]:
        namespaces = kube.list("v1", "Namespace", label_selector=LAB_LABEL)
        by_lab: dict[str, list[dict[str, Any]]] = {}
        for ns in namespaces:
            by_lab.setdefault(ns["metadata"]["labels"][LAB_LABEL], []).append(ns)
        records = []
        for lab_id, items in sorted(by_lab.items()):
            ages = [a for a in (_age(ns) for ns in items) if a is not None]
            names = ", ".join(sorted(ns["metadata"]["name"] for ns in items))
            terminating = [ns for ns in items if (ns.get("status") or {}).get("phase") == "Terminating"]
            state = (_("on kind cluster {cluster} (being deleted)") if len(terminating) == len(items)
                     else _("on kind cluster {cluster}")).format(cluster=self.cluster)
            records.append(LabRecord(lab_id, max(ages) if ages else None, state,
                                     _("namespaces {names}").format(names=names)))
        return records

    def clean(self, progress: Progress = no_progress) -> CleanReport:
        """Remove everything of this lab id, then say what (if anything) is still on the cluster."""
        where = _("kind cluster {cluster}").format(cluster=self.cluster)
        before = self._present()
        self.teardown(progress)
        left = self._present()
        return CleanReport(self.lab_id, where, tuple(x for x in before if x not in left), tuple(left))

    def _present(self) -> list[str]:
        """This lab's objects on the cluster: its namespaces and its cluster-wide objects."""
        selector = f"{LAB_LABEL}={self.lab_id}"
        with self._errors():
            kube = self.kube
            namespaces = kube.list("v1", "Namespace", label_selector=selector)
            found = [_("namespace {name}").format(name=n["metadata"]["name"]) for n in namespaces]
            for api, kind in CLUSTER_SCOPED:
                if kube.has_api(api, kind):
                    found += [f"{kind} {o['metadata']['name']}" for o in kube.list(api, kind, label_selector=selector)]
        return found

    # -- scenario -------------------------------------------------------------------------
    def _wait(self, check: Callable[[], list[str]], what: str, timeout: float, progress: Progress,
              done: int, total: int) -> None:
        def tolerant() -> list[str]:
            try:
                return check()
            except KubeError as e:  # an API that is starting or busy is one more thing to wait for
                return [_("the API ({error})").format(error=e)]

        def report(waiting: list[str], elapsed: float) -> None:
            if waiting:
                progress(done, total, _("{elapsed:4.0f} s: waiting for {waiting}").format(
                    elapsed=elapsed, waiting=_clauses(waiting[:3])))

        try:
            wait_until(tolerant, what, timeout, report=report, clock=self.clock)
        except Timeout as e:
            raise LabError(str(e)) from None

    def _refuse_calico_on_kindnet(self, manifests_: Sequence[dict[str, Any]]) -> None:
        calico_objects = [m for m in manifests_ if m["apiVersion"] == CALICO_API]
        if calico_objects and self.cni != "calico":
            first = calico_objects[0]
            raise LabError(_("{kind} {name} is a Calico object, and this kind cluster runs kindnet; use the Calico "
                             "cluster: `npkit lab down && npkit lab up --cni calico`").format(
                                 kind=first["kind"], name=first["metadata"]["name"]))

    def deploy(self, scenario: Cluster, progress: Progress = no_progress) -> Cluster:
        try:
            objects = manifests.scenario_manifests(scenario, self.lab_id, self.versions.agnhost_image)
        except manifests.ScenarioError as e:
            raise LabError(str(e)) from None
        self._refuse_calico_on_kindnet(objects)
        with self._errors():
            self.objects.check_writable(objects)  # refuse before anything is created
        namespaces = [o["metadata"]["name"] for o in objects if o["kind"] == "Namespace"]
        total = len(objects) + 2
        for i, obj in enumerate(objects):
            if obj["kind"] == "Pod" and namespaces:
                self._wait_for_default_accounts(namespaces, progress, i, total)
                namespaces = []
            meta = obj["metadata"]
            progress(i, total, _("creating {object}").format(
                object=f"{obj['kind']} {meta.get('namespace', '') and meta['namespace'] + '/'}{meta['name']}"))
            with self._errors():
                self.objects.put(obj)
        self._wait_for_pods([p.key for p in scenario.pods], progress, len(objects), total)
        return self._deployed(scenario, objects, progress, total)

    def _wait_for_default_accounts(self, namespaces: list[str], progress: Progress, done: int, total: int) -> None:
        """Pods are refused ("serviceaccount default not found") until the controller made the account."""
        self._wait(lambda: [f"ServiceAccount {ns}/default" for ns in namespaces
                            if self.kube.get("v1", "ServiceAccount", "default", ns) is None],
                   _("the namespaces' default ServiceAccounts"), SA_TIMEOUT, progress, done, total)

    def _wait_for_pods(self, keys: list[str], progress: Progress, done: int, total: int) -> None:
        def check() -> list[str]:
            waiting = []
            for key in keys:
                ns, name = key.split("/", 1)
                pod = self.kube.get("v1", "Pod", name, ns)
                reason = _("{pod}: not created").format(pod=key) if pod is None else pod_waiting(pod)
                if reason is not None:
                    if pod_failed(reason):
                        raise LabError(_("pod {reason}; check the image {image}").format(
                            reason=reason, image=self.versions.agnhost_image))
                    waiting.append(reason)
            return waiting

        try:
            self._wait(check, _("pods"), self.pod_timeout, progress, done, total)
        except LabError as e:
            if "ImagePull" in str(e) or "ErrImagePull" in str(e):  # the API's reasons, never translated
                raise LabError(_("{error}. The nodes could not pull {image}: check that this machine reaches "
                                 "registry.k8s.io (behind a proxy, configure Docker's proxy), then run the lab "
                                 "again").format(error=e, image=self.versions.agnhost_image)) from None
            raise

    def _deployed(self, scenario: Cluster, objects: list[dict[str, Any]], progress: Progress, total: int) -> Cluster:
        pods = []
        for pod in scenario.pods:
            with self._errors():
                live = self.kube.get("v1", "Pod", pod.name, pod.namespace) or {}
            spec, status = live.get("spec") or {}, live.get("status") or {}
            container = (spec.get("containers") or [{}])[0].get("name", "")
            self._pods[pod.key] = _LabPod(status.get("podIP") or "", container, spec.get("nodeName") or "")
            pods.append(replace(pod, ip=status.get("podIP") or "", ip_assigned=False))
        namespaces = dict(scenario.namespaces)
        for obj in objects:
            if obj["kind"] == "Namespace":
                name = obj["metadata"]["name"]
                old = namespaces.get(name) or Namespace(name)
                labels = {**old.labels, **obj["metadata"]["labels"], NAMESPACE_NAME_LABEL: name}
                namespaces[name] = replace(old, labels=labels, implicit=False)
        progress(total, total, ngettext("{n} pod(s) ready", "{n} pod(s) ready", len(pods)).format(n=len(pods)))
        return replace(scenario, pods=tuple(pods), namespaces=namespaces)

    def _manifest(self, obj: AnyPolicy | Tier) -> dict[str, Any]:
        try:
            return manifests.object_manifest(obj, self.lab_id)
        except (ValueError, TypeError) as e:  # what the manifest writer cannot express (e.g. domainNames peers)
            raise LabError(_("npkit cannot apply {object} to the cluster: {error}").format(object=obj.ref,
                                                                                           error=e)) from None

    def apply_tiers(self, tiers: Sequence[Tier], progress: Progress = no_progress) -> None:
        if tiers and self.cni != "calico":
            raise LabError(_("Calico tiers need the Calico cluster: `npkit lab down && npkit lab up --cni calico`"))
        for i, tier in enumerate(tiers):
            progress(i, len(tiers), _("applying {object}").format(object=tier.ref))
            with self._errors():
                self.objects.put(self._manifest(tier))

    def apply(self, policies: Sequence[AnyPolicy], progress: Progress = no_progress) -> None:
        with self._errors():
            live = {n["metadata"]["name"]: n["metadata"].get("labels") or {}
                    for n in self.kube.list("v1", "Namespace")}
        for policy in policies:
            outside = reach_outside(policy, live, self.lab_id)
            if outside:
                shown = ", ".join(outside[:6]) + (" ..." if len(outside) > 6 else "")
                raise LabError(_(
                    "refusing to apply {policy}: it would select pods outside this lab's namespaces ({namespaces}), "
                    "and on a real cluster that can cut DNS or the Calico API server. Limit it to the lab, e.g. "
                    "namespaceSelector: npkit.io/lab == '{lab_id}'.").format(policy=policy.ref, namespaces=shown,
                                                                             lab_id=self.lab_id))
        written = [self._manifest(p) for p in policies]
        self._refuse_calico_on_kindnet(written)
        with self._errors():
            self.objects.check_writable(written)
        for i, (policy, manifest) in enumerate(zip(policies, written, strict=True)):
            progress(i, len(policies), _("applying {object}").format(object=policy.ref))
            with self._errors():
                self.objects.put(manifest)
        progress(len(policies), len(policies), ngettext("applied {n} object(s)", "applied {n} object(s)",
                                                        len(policies)).format(n=len(policies)))

    def delete(self, policies: Sequence[AnyPolicy], progress: Progress = no_progress) -> None:
        for i, policy in enumerate(policies):
            progress(i, len(policies), _("deleting {object}").format(object=policy.ref))
            with self._errors():
                self.objects.remove(self._manifest(policy))

    def teardown(self, progress: Progress = no_progress) -> None:
        objects = self.objects
        try:
            with self._errors():
                names = objects.teardown(
                    lambda check, what, timeout: self._wait(check, what, timeout, progress, 0, 1),
                    lambda message: progress(0, 1, message))
        except LabError as e:
            raise LabError(_("clean-up of lab {lab_id} on kind cluster {cluster} is not complete: {error} (repeating "
                             "it is safe once that is fixed)").format(lab_id=self.lab_id, cluster=self.cluster,
                                                                      error=e)) from None
        self._pods.clear()
        progress(1, 1, ngettext("removed {n} lab namespace(s)", "removed {n} lab namespace(s)", len(names)).format(
            n=len(names)))

    # -- probing ----------------------------------------------------------------------------
    def _probe_one(self, request: ProbeRequest, timeout: float) -> ProbeResult:
        src, dst = self._pods.get(request.src), self._pods.get(request.dst)
        if src is None or dst is None:
            missing = request.src if src is None else request.dst
            return ProbeResult(request, "ERROR", f"{missing} was not deployed by this lab")
        if request.port is None or request.protocol not in agnhost.PROBE_PROTOCOLS:
            return ProbeResult(request, "ERROR", f"agnhost connect cannot probe {request.protocol} without a port")
        ns, pod = request.src.split("/", 1)
        argv = agnhost.connect_argv(dst.ip, request.port, request.protocol, timeout)
        try:
            result = self.kube.exec(ns, pod, src.container, argv, timeout + EXEC_GRACE)
        except Exception as e:  # noqa: BLE001 - one failed exec is one ERROR cell, not a failed lab
            return ProbeResult(request, "ERROR", f"exec failed: {e}")
        if result.returncode is None and not result.stderr:
            return ProbeResult(request, "ERROR", "the probe did not finish")
        outcome, detail = agnhost.parse_connect(result.returncode, result.stderr)
        return ProbeResult(request, outcome, detail)  # type: ignore[arg-type]  # parse_connect spells Outcome

    def probe(self, requests: Sequence[ProbeRequest], timeout: float = 1.0, workers: int = 8,
              progress: Progress = no_progress) -> list[ProbeResult]:
        total, done, lock = len(requests), 0, threading.Lock()
        progress(0, total, ngettext("probing {n} connection(s) with {workers} worker(s)",
                                    "probing {n} connection(s) with {workers} worker(s)", total).format(
            n=total, workers=workers))

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
            raise LabError(_("`{command}` failed: {reason}").format(command=f"{runtime} exec {node} {' '.join(argv)}",
                                                                    reason=result.message()))
        return result.stdout

    def rules(self, pod: str) -> str:
        """The iptables chains Felix wrote for the pod (Calico), or kindnet's nftables table."""
        ns, name = pod.split("/", 1)
        with self._errors():
            live = self.kube.get("v1", "Pod", name, ns)
        if live is None or not (live.get("status") or {}).get("podIP"):
            raise LabError(_("pod {pod} is not running in the lab cluster").format(pod=pod))
        node, ip = live["spec"]["nodeName"], live["status"]["podIP"]
        if self.cni != "calico":
            return self._node_exec(node, ["nft", "list", "table", "inet", "kindnet-network-policies"])
        route = self._node_exec(node, ["ip", "route", "get", ip])
        m = re.search(r"\bdev (\S+)", route)
        if m is None:
            raise LabError(_("no route to {ip} on node {node}: {route}").format(ip=ip, node=node, route=route.strip()))
        iface = m.group(1)
        text = self._node_exec(node, ["iptables-save", "-t", "filter"])
        chains = pod_chains(text, iface)
        if not chains:
            return _("no Calico chains for interface {iface} on node {node} (is Calico running in iptables "
                     "mode?)").format(iface=iface, node=node)
        header = _("# {pod} is {ip} on node {node}, interface {iface}\n"
                   "# cali-tw-{iface}: its ingress pipeline; cali-fw-{iface}: its egress pipeline\n").format(
                       pod=pod, ip=ip, node=node, iface=iface)
        return header + chains

    def logs(self, tail: int = 200) -> str:
        """Kernel lines from Calico Log rules (prefix calico-packet) about this lab's pods, newest last.

        kind nodes share the host's kernel, so its log is read once; each line is attributed to the
        lab's pods (and their node) by the Calico interface names it carries."""
        if not self._pods:
            raise LabError(_("no lab pods are deployed in this session: deploy the scenario first"))
        with self._errors():
            nodes = self.kind.nodes(self.cluster)
        if not nodes:
            raise LabError(_("kind cluster {cluster} has no nodes").format(cluster=self.cluster))
        out = self._node_exec(nodes[0], ["dmesg"])
        lines = attribute(out, [PodPlace(key, pod.node) for key, pod in self._pods.items()])
        if not lines:
            return _("no calico-packet lines about this lab's pods in the kernel log. Inside a kind node (a container "
                     "with its own network namespace) the kernel drops LOG output unless the host allows it: run "
                     "`sudo sysctl -w net.netfilter.nf_log_all_netns=1` on the Docker host, then probe again.")
        return "\n".join(lines[-tail:])


def _age(obj: dict[str, Any]) -> float | None:
    """Seconds since an object's creationTimestamp (None when it has none)."""
    stamp = (obj.get("metadata") or {}).get("creationTimestamp")
    if not stamp:
        return None
    if isinstance(stamp, str):
        try:
            stamp = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(stamp, datetime):
        return None
    return max(0.0, (datetime.now(timezone.utc) - stamp).total_seconds())


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
