"""From the scenario the evaluator reads to the objects the lab creates on a cluster.

Namespaces keep their labels and gain the lab's ownership labels; pods keep their labels
and become agnhost servers on their declared ports (agnhost.py). Policies and tiers are
turned back into manifests by `npkit.loading.dump.to_manifest`, the one dumper.
"""

from __future__ import annotations

from typing import Any

from ..errors import ScenarioError  # defined with the others in npkit.errors; importable here too
from ..i18n import messages
from ..model import NAMESPACE_NAME_LABEL, Cluster, Namespace, Pod
from . import agnhost
from .guard import lab_labels

_, pgettext = messages("npkit-tools").gettext, messages("npkit-tools").pgettext

# Pods are recreated often; they need no grace period and no API token.
_POD_DEFAULTS = {"terminationGracePeriodSeconds": 0, "automountServiceAccountToken": False}


def namespace_manifest(ns: Namespace, lab_id: str) -> dict[str, Any]:
    """A Namespace with the scenario's labels plus the lab's (the API server adds metadata.name)."""
    labels = {k: v for k, v in ns.labels.items() if k != NAMESPACE_NAME_LABEL}
    labels.update(lab_labels(lab_id))
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns.name, "labels": labels}}


def service_account_manifest(namespace: str, name: str, lab_id: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": name, "namespace": namespace, "labels": lab_labels(lab_id)}}


def pod_manifest(pod: Pod, image: str) -> dict[str, Any]:
    """An agnhost pod standing for a scenario pod: same name, namespace, labels, ports and SA.

    Pods get no extra labels: selectors in the lab's policies must see exactly the scenario's.
    """
    if pod.host_network:
        raise ScenarioError(_("pod {pod} uses hostNetwork: a lab cannot deploy it (it would share the node's address "
                              "and ports, and policy does not apply to it); drop it from the scenario").format(
                                  pod=pod.key))
    spec: dict[str, Any] = {"containers": agnhost.containers(pod, image), **_POD_DEFAULTS}
    if pod.service_account != "default":
        spec["serviceAccountName"] = pod.service_account
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": pod.name, "namespace": pod.namespace, "labels": dict(pod.labels)},
            "spec": spec}


def scenario_manifests(scenario: Cluster, lab_id: str, image: str) -> list[dict[str, Any]]:
    """Namespaces, service accounts, network sets and pods, in the order they must be created.

    Network sets are part of the scenario: the prediction uses them, so the cluster must have them.
    """
    problems = []
    for pod in scenario.pods:
        for port in pod.ports:
            if port.protocol not in agnhost.PROBE_PROTOCOLS:
                problems.append(_("pod {pod} declares {port}: agnhost serves only TCP, UDP and SCTP").format(
                    pod=pod.key, port=port))
    if problems:
        raise ScenarioError(pgettext("clauses", "; ").join(problems))
    used = {p.namespace for p in scenario.pods} | {s.namespace for s in scenario.network_sets if s.namespace}
    namespaces = [ns for name, ns in sorted(scenario.namespaces.items()) if name in used or not ns.implicit]
    out = [namespace_manifest(ns, lab_id) for ns in namespaces]
    accounts = sorted({(p.namespace, p.service_account) for p in scenario.pods if p.service_account != "default"})
    out += [service_account_manifest(ns, name, lab_id) for ns, name in accounts]
    sets = sorted(scenario.network_sets, key=lambda s: (s.namespace or "", s.name))
    out += [object_manifest(s, lab_id) for s in sets]
    out += [pod_manifest(p, image) for p in sorted(scenario.pods, key=lambda p: p.key)]
    return out


def object_manifest(obj: object, lab_id: str) -> dict[str, Any]:
    """A policy or tier as a manifest, labelled as the lab's (so clean-up can find cluster-wide ones)."""
    from ..loading.dump import to_manifest  # the loading layer's dumper (one way to write YAML back)

    manifest = to_manifest(obj)
    metadata = manifest.setdefault("metadata", {})
    metadata["labels"] = {**(metadata.get("labels") or {}), **lab_labels(lab_id)}
    return manifest

