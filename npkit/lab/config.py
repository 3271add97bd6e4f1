"""Typed configuration for each lab backend: exactly the options it can honour.

Options reach a backend from the CLI (`--name`, `--context`, `--cni`, `--lab-id`), from
`NPKIT_LAB_BACKEND`, or from a notebook. `select.config_for` builds the backend's
configuration and refuses an option the backend does not have, naming it the way the user
typed it: `--context` with `--backend local` is an error, never silently dropped.

A backend declares its type as `config_type` and is built with `Backend.from_config(config)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import ClassVar

from ..cluster.guard import valid_lab_id
from ..cluster.kind import CNIS, DEFAULT_NAME
from ..i18n import N_, messages
from .errors import LabConfigError

_, pgettext = messages("npkit-tools").gettext, messages("npkit-tools").pgettext

# How the CLI spells each option, for messages.
FLAGS = {"lab_id": "--lab-id", "cluster": "--name", "allow_context": "--context", "cni": "--cni",
         "dataplane": "--dataplane", "pod_timeout": "--pod-timeout", "reason": "reason"}


def flag(option: str) -> str:
    """`allow_context` → `--context`: the name a user typed."""
    return FLAGS.get(option, option)


@dataclass(frozen=True)
class BackendConfig:
    """What every backend takes: the lab id its resources are labelled or named with."""

    lab_id: str = "npkit"

    # Why a backend of this type refuses an option, when there is more to say than "it has none" (N_: translated
    # where the refusal is shown).
    refusals: ClassVar[dict[str, str]] = {}

    def __post_init__(self) -> None:
        if not isinstance(self.lab_id, str) or not valid_lab_id(self.lab_id):
            raise LabConfigError(_("lab id {lab_id}: use letters, digits, '-', '_' and '.', at most 63 characters, "
                                   "starting and ending with a letter or digit (it becomes a label value)").format(
                                       lab_id=repr(self.lab_id)))

    @classmethod
    def options(cls) -> tuple[str, ...]:
        """The option names this configuration takes."""
        return tuple(f.name for f in fields(cls))


@dataclass(frozen=True)
class KindConfig(BackendConfig):
    """The kind backend: which kind cluster, which CNI, and an explicitly allowed other context."""

    cluster: str = DEFAULT_NAME
    cni: str | None = None  # calico or kindnet; None: as found on the cluster (`lab up` installs calico)
    allow_context: str | None = None  # a kube context other than kind-<cluster>, named by the user
    pod_timeout: float = 180.0

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.cni is not None and self.cni not in CNIS:
            raise LabConfigError(_("--cni {value}: choose {choices}").format(
                value=repr(self.cni), choices=pgettext("names", " or ").join(CNIS)))
        if not self.cluster or not re.match(r"^[a-z0-9][a-z0-9.-]*$", self.cluster):
            raise LabConfigError(_("--name {value}: a kind cluster name is lower-case letters, digits, '-' and "
                                   "'.'").format(value=repr(self.cluster)))
        if self.pod_timeout <= 0:
            raise LabConfigError(_("pod timeout {value}: must be positive").format(value=repr(self.pod_timeout)))


@dataclass(frozen=True)
class LocalConfig(BackendConfig):
    """The local backend (network namespaces + nftables on this machine): which semantics it renders."""

    dataplane: str = "calico"  # calico: Felix-style chains; kubernetes: NetworkPolicy and ClusterNetworkPolicy only

    refusals: ClassVar[dict[str, str]] = {
        "allow_context": N_("the local backend runs on this machine in network namespaces; it uses no kube context"),
        "cluster": N_("the local backend runs on this machine; it has no kind cluster to name"),
        "cni": N_("the local backend enforces npkit's own nftables rendering; it has no CNI to choose"),
    }

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.dataplane not in ("calico", "kubernetes"):
            raise LabConfigError(_("dataplane {value}: choose calico or kubernetes").format(value=repr(self.dataplane)))


@dataclass(frozen=True)
class PredictConfig(BackendConfig):
    """Prediction only: nothing runs; `reason` says why no observing backend was used."""

    reason: str = N_("no observing backend was chosen")  # translated where shown; a caller's reason is in its words

    refusals: ClassVar[dict[str, str]] = {
        "allow_context": N_("the predict backend runs nothing and talks to no cluster"),
        "cluster": N_("the predict backend runs nothing and talks to no cluster"),
        "cni": N_("the predict backend runs nothing; the engine's dataplane decides"),
    }
