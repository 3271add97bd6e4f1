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
from typing import ClassVar, Literal, TypeVar

from ..i18n import messages
from ..model import AnyPolicy, Cluster, Tier
from .config import BackendConfig
from .errors import LabConfigError, LabError

__all__ = ["CleanReport", "LabBackend", "LabConfigError", "LabError", "LabRecord", "Outcome", "ProbeRequest",
           "ProbeResult", "Progress", "no_progress"]

_ = messages("npkit-tools").gettext

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


@dataclass(frozen=True)
class LabRecord:
    """One lab present on a backend, for `lab status`: its id, age and state, and what it holds."""

    lab_id: str
    age: float | None  # seconds since it was created; None when unknown
    state: str  # e.g. "in use by process 4242", "kept", "left by a process that has exited" (the backend's words)
    detail: str = ""  # pods, policies
    abandoned: bool = False  # its owner crashed: the next run removes it

    def line(self) -> str:
        """`lab-01: kept, 5 min old; namespaces a, b`."""
        if self.age is None:
            text = _("{lab_id}: {state}; {detail}") if self.detail else _("{lab_id}: {state}")
        else:
            text = _("{lab_id}: {state}, {age} old; {detail}") if self.detail else _("{lab_id}: {state}, {age} old")
        age = "" if self.age is None else format_age(self.age)
        return text.format(lab_id=self.lab_id, state=self.state, age=age, detail=self.detail)


@dataclass(frozen=True)
class CleanReport:
    """What `clean` removed, and what is still there (empty when nothing of the lab is left)."""

    lab_id: str
    where: str  # "this machine", "kind cluster npkit-lab" (the backend's words)
    removed: tuple[str, ...] = ()
    left: tuple[str, ...] = ()

    def message(self) -> str:
        if self.left:
            return _("lab {lab_id}: still present on {where} after clean-up: {left}").format(
                lab_id=self.lab_id, where=self.where, left=", ".join(self.left))
        if self.removed:
            return _("lab {lab_id}: removed {removed}; nothing of it is left on {where}").format(
                lab_id=self.lab_id, removed=", ".join(self.removed), where=self.where)
        return _("lab {lab_id}: nothing of it is left on {where}").format(lab_id=self.lab_id, where=self.where)


T = TypeVar("T")


def uninterrupted(cleanup: Callable[[], T]) -> T:
    """Run an idempotent clean-up to its end even if one Ctrl-C lands in it: it runs again, then the
    KeyboardInterrupt goes on (a second Ctrl-C during the rerun stops it; the next run removes the rest)."""
    try:
        return cleanup()
    except KeyboardInterrupt:
        cleanup()
        raise


def format_age(seconds: float) -> str:
    """12 s, 5 min, 3 h, 2 d."""
    if seconds >= 86400:
        return _("{n} d").format(n=int(seconds // 86400))
    if seconds >= 3600:
        return _("{n} h").format(n=int(seconds // 3600))
    if seconds >= 60:
        return _("{n} min").format(n=int(seconds // 60))
    return _("{n} s").format(n=int(seconds))


class LabBackend(ABC):
    """One way of running labs. Subclasses: kind, local (network namespaces), predict."""

    name: str = ""
    observes: bool = True  # False: predictions only, nothing is run
    dataplane: str = "calico"  # the engine dataplane that predicts what this backend enforces
    settle: float = 2.0  # seconds for a policy change to take effect before probing (and re-probing)
    # The configuration type `from_config` takes: it lists the options this backend can honour.
    config_type: ClassVar[type[BackendConfig]] = BackendConfig
    # What running a lab here creates on the user's machine, for the opt-in ("" when nothing).
    changes: ClassVar[str] = ""

    @classmethod
    def from_config(cls, config: BackendConfig) -> LabBackend:
        """The backend for a typed configuration (see config.py)."""
        return cls(config)  # type: ignore[call-arg]  # concrete backends take their config first

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

    def labs(self) -> list[LabRecord] | None:
        """Every lab present on this backend, with its age and state; None if it cannot tell."""
        return None

    def clean(self, progress: Progress = no_progress) -> CleanReport:
        """Remove everything this backend's lab id created, and say what (if anything) is left.

        Default: `teardown()`, trusting it to leave nothing.
        """
        self.teardown(progress)
        return CleanReport(getattr(self, "lab_id", ""), self.name)

    def keep(self) -> None:
        """What is deployed stays after this process ends, on purpose (`lab run --keep`); default: nothing to do."""
        return None

    def apply_tiers(self, tiers: Sequence[Tier], progress: Progress = no_progress) -> None:
        """Create or update the Calico tiers that policies about to be applied live in.

        The session calls it before `apply` with every non-built-in tier. Backends that enforce
        Calico tiers override it; the default does nothing.
        """
        return None

    def logs(self, tail: int = 200) -> str:
        """Recent lines the dataplane logged for Calico `Log` rules, newest last."""
        raise LabError(_("the {backend} backend cannot show policy logs").format(backend=self.name))

    def rules(self, pod: str) -> str:
        """The packet-filter rules that enforce policy for `pod`, as text a learner can read."""
        raise LabError(_("the {backend} backend cannot show generated rules").format(backend=self.name))
