"""The safety guard: act only on the lab's kind cluster, and only on what the lab created.

A learner's kubeconfig may also hold a production context. Before anything is sent to a
cluster — reads included, since they carry the context's credentials — the guard must allow
the context: the lab's own kind context (`kind-<name>`, whose API server must be on this
machine) or a context the user named explicitly. Objects the lab creates carry the label
`npkit.io/lab=<lab id>`; an object it did not create is never replaced or deleted
(`npkit.cluster.objects`).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlparse

# Defined with every npkit error in npkit/errors.py; importable from here too.
from ..errors import ForeignObject as ForeignObject
from ..errors import UnsafeTarget
from ..i18n import messages
from .kind import context_name

if TYPE_CHECKING:
    from ..model import AnyPolicy

_ = messages("npkit-tools").gettext

LAB_LABEL = "npkit.io/lab"
MANAGED_BY = ("app.kubernetes.io/managed-by", "npkit")


def is_local_server(server: str | None) -> bool:
    """True for an API server URL on this machine (where kind publishes it).

    >>> is_local_server("https://127.0.0.1:39127"), is_local_server("https://prod.example.com:6443")
    (True, False)
    """
    if not server:
        return False
    host = urlparse(server).hostname or ""
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


@dataclass(frozen=True)
class ContextGuard:
    """Which kube context the lab may change. `allow_context` is the explicit override."""

    cluster: str
    allow_context: str | None = None

    @property
    def lab_context(self) -> str:
        return context_name(self.cluster)

    @property
    def target(self) -> str:
        """The context the helpers will use."""
        return self.allow_context or self.lab_context

    def check(self, context: str | None, server: str | None) -> None:
        """Raise UnsafeTarget unless `context` (with API `server`) is one the lab may talk to."""
        if context is None:
            raise UnsafeTarget(_("no kube context is selected; run `npkit lab up` to create the lab cluster"))
        if self.allow_context is not None and context == self.allow_context:
            return  # the user named this context explicitly
        if context != self.lab_context:
            raise UnsafeTarget(_(
                "refusing to use context {context}: npkit labs act only on {lab_context}. To use {context} anyway, "
                "pass --context {name} (Python: allow_context={context}).").format(
                    context=repr(context), lab_context=repr(self.lab_context), name=context))
        if not is_local_server(server):
            raise UnsafeTarget(_(
                "context {context} looks like the lab's kind context, but its API server is {server}, not on this "
                "machine; refusing. Pass --context explicitly if this is really your lab.").format(
                    context=repr(context), server=repr(server)))


def valid_lab_id(lab_id: str) -> bool:
    """A lab id must be a valid label value (it is written as `npkit.io/lab=<id>`).

    >>> valid_lab_id("lab-01"), valid_lab_id("no spaces"), valid_lab_id("")
    (True, False, False)
    """
    return bool(re.fullmatch(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?", lab_id))


def lab_labels(lab_id: str) -> dict[str, str]:
    """The labels on everything a lab creates."""
    return {LAB_LABEL: lab_id, MANAGED_BY[0]: MANAGED_BY[1]}


def lab_selector(lab_id: str) -> str:
    """The label selector that finds what a lab created."""
    return f"{LAB_LABEL}={lab_id}"


def owned_by(labels: dict[str, str] | None, lab_id: str) -> bool:
    """Whether an object with these labels was created by lab `lab_id`."""
    return (labels or {}).get(LAB_LABEL) == lab_id


def reach_outside(policy: AnyPolicy, namespaces: dict[str, dict[str, str]], lab_id: str) -> list[str]:
    """Namespaces not owned by the lab whose pods `policy` would select (empty: it stays inside).

    `namespaces` maps every namespace of the live cluster to its labels. Cluster-wide policies
    (GlobalNetworkPolicy, ClusterNetworkPolicy) must be limited to the lab's namespaces, or a
    lesson's deny-all would cut the cluster's own traffic (DNS, the Calico API server).
    """
    from ..model import CalicoPolicy, ClusterNetworkPolicy
    from ..selectors import k8s, parse

    foreign = {n: labels for n, labels in namespaces.items() if not owned_by(labels, lab_id)}
    if isinstance(policy, CalicoPolicy) and policy.is_global:
        if policy.namespace_selector is None:
            return sorted(foreign)  # also selects host endpoints; never in a lab
        selector = parse(policy.namespace_selector)
        return sorted(n for n, labels in foreign.items()
                      if selector.matches({**labels, "projectcalico.org/name": n}))
    if isinstance(policy, ClusterNetworkPolicy):
        return sorted(n for n, labels in foreign.items() if k8s.matches(policy.subject.namespace_selector, labels))
    namespace = getattr(policy, "namespace", None)
    return [namespace] if namespace in foreign else []
