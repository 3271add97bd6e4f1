"""Installing Calico on the kind cluster with the Tigera operator, and what a running cluster has
(docs/semantics/kind-lab.md, "Installing Calico" and "Readiness").

The CRD bundle and the operator are fetched at install time from URLs built from the pinned
version, never vendored, and created with `kubectl create` (not apply: the CRD bundle is too large
for client-side apply's annotation; Calico's docs use create). The operator's custom resources
come from `cluster/calico-custom-resources.yaml` — upstream's four objects — with the IP pool set
to the kind config's podSubnet, so a learner who changes the subnet (a 192.168.x LAN) gets a pool
the operator accepts. Re-running is safe: objects that already exist are skipped.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from pathlib import Path

import yaml

from ..i18n import messages
from .kube import CALICO_API, Kube, KubeError
from .readiness import Clock, Timeout, tigera_waiting, wait_until
from .runner import Result, Runner
from .versions import Versions

_ = messages("npkit-tools").gettext

OPERATOR_API = "operator.tigera.io/v1"
EXPECTED_TIERS = ("default", "kube-admin", "kube-baseline")  # what 3.32 creates
# The TigeraStatus objects a 3.32 operator install reports (tigera/operator v1.42 controllers).
TIGERA_COMPONENTS = ("apiserver", "calico", "goldmane", "ippools", "whisker")
CUSTOM_RESOURCES = "calico-custom-resources.yaml"
CRDS_TIMEOUT = 120.0  # seconds for freshly created CRDs to be served before their objects can be created


class InstallError(Exception):
    """A step of the Calico install failed; the message says which and what to check."""


def create_argv(source: str, context: str) -> list[str]:
    """`kubectl create` of one manifest (a URL, or `-` for stdin), on the lab context only.

    >>> create_argv("https://x/a.yaml", "kind-npkit-lab")
    ['kubectl', '--context', 'kind-npkit-lab', 'create', '-f', 'https://x/a.yaml']
    """
    return ["kubectl", "--context", context, "create", "-f", source]


def only_already_exists(result: Result) -> bool:
    """True when kubectl failed only because objects already existed (a re-run); `Warning:` lines
    (deprecations the API server sends along) are not failures.

    >>> only_already_exists(Result((), 1, "", 'Error from server (AlreadyExists): x "y" already exists\\n'))
    True
    >>> only_already_exists(Result((), 1, "", 'Warning: deprecated\\nError from server (AlreadyExists): x\\n'))
    True
    """
    errors = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("Warning:")]
    return bool(errors) and all("AlreadyExists" in line or "already exists" in line for line in errors)


def not_served_yet(result: Result) -> bool:
    """kubectl's answer when a CRD was created a moment ago and is not served yet."""
    text = result.stderr
    return "no matches for kind" in text or "ensure CRDs are installed first" in text


def custom_resources(cluster_dir: Path, pod_subnet: str) -> str:
    """The operator's custom resources as YAML, the IPv4 pool set to `pod_subnet`."""
    try:
        network = ipaddress.ip_network(pod_subnet)
    except ValueError:
        raise InstallError(_("podSubnet {subnet} of the kind config is not one IPv4 CIDR; the Calico lab cluster is "
                             "single-stack IPv4 (e.g. 10.244.0.0/16)").format(subnet=repr(pod_subnet))) from None
    if network.version != 4:
        raise InstallError(_("podSubnet {subnet}: the Calico lab cluster is IPv4; use an IPv4 CIDR").format(
            subnet=pod_subnet))
    path = cluster_dir / CUSTOM_RESOURCES
    try:
        docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    except (OSError, yaml.YAMLError) as e:
        raise InstallError(_("cannot read {path}: {error}").format(path=path, error=e)) from None
    for doc in docs:
        if doc.get("kind") == "Installation":
            doc["spec"]["calicoNetwork"]["ipPools"][0]["cidr"] = str(network)
    return yaml.safe_dump_all(docs, sort_keys=False)


def install(runner: Runner, versions: Versions, context: str, cluster_dir: Path, pod_subnet: str,
            report: Callable[[str], None] = lambda message: None, clock: Clock | None = None) -> None:
    """kubectl create the CRDs and the operator, then the custom resources, in order."""
    for url in versions.calico_manifests():
        report(f"kubectl create -f {url}")
        result = runner.run(create_argv(url, context), timeout=300)
        if not result.ok and not only_already_exists(result):
            raise InstallError(_("installing Calico failed at {url}: {reason}. Check that this machine can reach "
                                 "raw.githubusercontent.com, then run `npkit lab up` again").format(
                                     url=url, reason=result.message()))
    text = custom_resources(cluster_dir, pod_subnet)
    report(_("kubectl create -f {file} (IP pool {subnet})").format(file=CUSTOM_RESOURCES, subnet=pod_subnet))

    def create() -> list[str]:
        result = runner.run(create_argv("-", context), timeout=120, input=text)
        if result.ok or only_already_exists(result):
            return []
        if not_served_yet(result):
            return [_("the operator's CRDs to be served")]
        raise InstallError(_("creating Calico's custom resources failed: {reason}").format(reason=result.message()))

    try:
        wait_until(create, _("the operator's CRDs"), CRDS_TIMEOUT, clock=clock)
    except Timeout as e:
        raise InstallError(_("{error}; run `npkit lab up` again").format(error=e)) from None


def status_waiting(kube: Kube) -> list[str]:
    """What Calico is still waiting for: TigeraStatus components, then the v3 API."""
    if not kube.has_api(OPERATOR_API, "TigeraStatus"):
        return [_("the Tigera operator (its TigeraStatus API is not served yet)")]
    waiting = tigera_waiting(kube.list(OPERATOR_API, "TigeraStatus"))
    if waiting:
        return waiting
    return api_waiting(kube)


def api_waiting(kube: Kube) -> list[str]:
    """Whether `kubectl apply` of projectcalico.org/v3 objects works: the kinds are served and
    the built-in tiers answer."""
    try:
        missing = [k for k in ("Tier", "GlobalNetworkPolicy", "NetworkPolicy") if not kube.has_api(CALICO_API, k)]
        if missing:
            return [_("the projectcalico.org/v3 API (not serving {kinds} yet)").format(kinds=", ".join(missing))]
        tiers = {t["metadata"]["name"] for t in kube.list(CALICO_API, "Tier")}
    except KubeError as e:  # the aggregated API server starting: "not ready yet", and why
        return [_("the projectcalico.org/v3 API ({error})").format(error=e)]
    absent = [t for t in EXPECTED_TIERS if t not in tiers]
    return [_("the built-in tiers ({tiers} missing)").format(tiers=", ".join(absent))] if absent else []


def cluster_cni(kube: Kube) -> str:
    """The CNI a running lab cluster has: calico (the operator installed it), kindnet, or none."""
    if kube.has_api(OPERATOR_API, "Installation") and kube.get(OPERATOR_API, "Installation", "default"):
        return "calico"
    if kube.get("apps/v1", "DaemonSet", "kindnet", "kube-system") is not None:
        return "kindnet"
    return "none"


def cluster_pod_subnet(kube: Kube) -> str | None:
    """The pod subnet the cluster was made with: `networking.podSubnet` of kubeadm's stored
    ClusterConfiguration, where the Tigera operator also reads it (None when it is not there)."""
    config_map = kube.get("v1", "ConfigMap", "kubeadm-config", "kube-system")
    text = ((config_map or {}).get("data") or {}).get("ClusterConfiguration")
    if not text:
        return None
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return None
    subnet = (doc.get("networking") or {}).get("podSubnet") if isinstance(doc, dict) else None
    return str(subnet) if subnet else None
