"""Installing Calico on the kind cluster with the Tigera operator (docs/semantics/kind-lab.md).

The manifests are fetched at install time from URLs built from the pinned version, never
vendored. `kubectl create` (not apply): the CRD bundle is too large for client-side apply's
annotation, and the docs use create. Re-running is safe: objects that already exist are
reported by kubectl as AlreadyExists and skipped.
"""

from __future__ import annotations

from .kube import CALICO_API, Kube
from .runner import Result, Runner
from .versions import Versions

OPERATOR_API = "operator.tigera.io/v1"
EXPECTED_TIERS = ("default", "kube-admin", "kube-baseline")  # what 3.32 creates (docs/semantics/kind-lab.md)


def create_argv(url: str, context: str) -> list[str]:
    """`kubectl create` of one manifest, on the lab context only.

    >>> create_argv("https://x/a.yaml", "kind-npkit-lab")
    ['kubectl', '--context', 'kind-npkit-lab', 'create', '-f', 'https://x/a.yaml']
    """
    return ["kubectl", "--context", context, "create", "-f", url]


def only_already_exists(result: Result) -> bool:
    """True when kubectl failed only because every failing object already existed (a re-run).

    >>> only_already_exists(Result((), 1, "", 'Error from server (AlreadyExists): x "y" already exists\\n'))
    True
    """
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    return bool(errors) and all("AlreadyExists" in line or "already exists" in line for line in errors)


def install(runner: Runner, versions: Versions, context: str, report=lambda message: None) -> None:
    """kubectl create the CRDs, the operator and the custom resources, in order."""
    for url in versions.calico_manifests():
        report(f"kubectl create -f {url}")
        result = runner.run(create_argv(url, context), timeout=300)
        if not result.ok and not only_already_exists(result):
            raise RuntimeError(f"installing Calico failed at {url}: {result.message()}. Check that this machine "
                               "can reach raw.githubusercontent.com, then run `npkit lab up` again")


def status_waiting(kube: Kube) -> list[str]:
    """What Calico is still waiting for: TigeraStatus components, then the v3 API (C.4)."""
    from .readiness import tigera_waiting

    if not kube.has_api(OPERATOR_API, "TigeraStatus"):
        return ["the Tigera operator (its TigeraStatus API is not served yet)"]
    waiting = tigera_waiting(kube.list(OPERATOR_API, "TigeraStatus"))
    if waiting:
        return waiting
    return api_waiting(kube)


def api_waiting(kube: Kube) -> list[str]:
    """Whether `kubectl apply` of projectcalico.org/v3 objects works: the kinds are served and
    the built-in tiers answer."""
    missing = [k for k in ("Tier", "GlobalNetworkPolicy", "NetworkPolicy") if not kube.has_api(CALICO_API, k)]
    if missing:
        return [f"the projectcalico.org/v3 API (not serving {', '.join(missing)} yet)"]
    try:
        tiers = {t["metadata"]["name"] for t in kube.list(CALICO_API, "Tier")}
    except Exception as e:  # noqa: BLE001 - any failure here means "not ready yet"; the message says which
        return [f"the projectcalico.org/v3 API ({e})"]
    absent = [t for t in EXPECTED_TIERS if t not in tiers]
    return [f"the built-in tiers ({', '.join(absent)} missing)"] if absent else []


def is_calico(kube: Kube) -> bool:
    """Whether the cluster runs Calico (the operator's API is served)."""
    return kube.has_api(OPERATOR_API, "TigeraStatus") or kube.has_api(CALICO_API, "Tier")
