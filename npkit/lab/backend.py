"""What a lab backend must do: run a scenario for real and report what connected.

A backend owns an environment (a kind cluster, Linux network namespaces, or nothing at all
for prediction only). The lab session (session.py) drives any backend the same way:
preflight → up → deploy the scenario's namespaces and pods → apply policies → probe →
compare with the engine's prediction → clean up. Backends never decide what *should*
happen; the engine does.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from ..errors import LabError  # defined with the others in npkit.errors; importable from here too
from ..model import AnyPolicy, Cluster, Tier

Outcome = Literal["CONNECTED", "TIMEOUT", "REFUSED", "DNS", "OTHER", "UNKNOWN", "ERROR"]

# progress(done, total, message): backends call it during long work; the session shows it
# as a terminal line or a notebook progress bar.
Progress = Callable[[int, int, str], None]


def no_progress(done: int, total: int, message: str) -> None:
    """A Progress that shows nothing."""


@dataclass(frozen=True)
class ProbeRequest:
    """One new connection to try: from pod `src` to pod `dst` (keys `namespace/name`)."""

    src: str
    dst: str
    port: int | None
    protocol: str = "TCP"


@dataclass(frozen=True)
class ProbeResult:
    """What happened. TIMEOUT is typical of a policy drop; REFUSED of a closed port or a reject."""

    request: ProbeRequest
    outcome: Outcome
    detail: str = ""
    attempts: int = 1

    @property
    def connected(self) -> bool:
        return self.outcome == "CONNECTED"


class LabBackend(ABC):
    """One way of running labs. Subclasses: kind, local (network namespaces), predict."""

    name: str = ""
    observes: bool = True  # False: predictions only, nothing is run
    dataplane: str = "calico"  # the engine dataplane that predicts what this backend enforces
    settle: float = 2.0  # seconds for a policy change to take effect before probing (and re-probing)

    @abstractmethod
    def describe(self) -> str:
        """One line for the lab banner: what runs where."""

    @abstractmethod
    def preflight(self) -> list[str]:
        """Problems that stop this backend from working here, each with what to do; empty if fine."""

    @abstractmethod
    def up(self, progress: Progress = no_progress) -> None:
        """Create the environment (idempotent: an existing one is reused)."""

    @abstractmethod
    def down(self, progress: Progress = no_progress) -> None:
        """Remove everything the backend created, including leftovers of crashed runs (idempotent)."""

    @abstractmethod
    def status(self) -> str:
        """A short human-readable state."""

    @abstractmethod
    def deploy(self, scenario: Cluster, progress: Progress = no_progress) -> Cluster:
        """Create the scenario's namespaces and pods (servers on their declared ports) and wait until
        ready; return the scenario with the pods' real IPs. Only namespaces the lab creates and labels."""

    @abstractmethod
    def apply(self, policies: Sequence[AnyPolicy], progress: Progress = no_progress) -> None:
        """Create or update policies of any supported family."""

    @abstractmethod
    def delete(self, policies: Sequence[AnyPolicy], progress: Progress = no_progress) -> None:
        """Remove policies (missing ones are not an error)."""

    @abstractmethod
    def probe(self, requests: Sequence[ProbeRequest], timeout: float = 1.0, workers: int = 8,
              progress: Progress = no_progress) -> list[ProbeResult]:
        """Try every request as a new connection, in parallel; results in request order."""

    @abstractmethod
    def teardown(self, progress: Progress = no_progress) -> None:
        """Remove what `deploy` and `apply` created, keeping the environment itself up."""

    def usable(self) -> list[str]:
        """Problems that stop a lab from running here *now* (environment included); empty if fine.

        The automatic backend choice (select.py) asks this. Default: `preflight()`.
        """
        return self.preflight()

    def apply_tiers(self, tiers: Sequence[Tier], progress: Progress = no_progress) -> None:
        """Create or update the Calico tiers that policies about to be applied live in.

        The session calls it before `apply` with every non-built-in tier. Backends that enforce
        Calico tiers override it; the default does nothing.
        """
        return None

    def logs(self, tail: int = 200) -> str:
        """Recent lines the dataplane logged for Calico `Log` rules, newest last."""
        raise LabError(f"the {self.name} backend cannot show policy logs")

    def rules(self, pod: str) -> str:
        """The packet-filter rules that enforce policy for `pod`, as text a learner can read."""
        raise LabError(f"the {self.name} backend cannot show generated rules")
