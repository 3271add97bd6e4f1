"""Prediction only: nothing runs, nothing is observed; the lab shows the engine's answers,
labelled "predicted, not observed", and says why no observing backend was available."""

from __future__ import annotations

from collections.abc import Sequence

from ...i18n import messages
from ...model import AnyPolicy, Cluster
from ..backend import LabBackend, LabError, ProbeRequest, ProbeResult, Progress, no_progress
from ..config import PredictConfig

_ = messages("npkit-tools").gettext


class PredictBackend(LabBackend):
    """The backend of last resort (Binder, CI without root, no container runtime)."""

    name = "predict"
    observes = False
    settle = 0.0
    config_type = PredictConfig

    def __init__(self, config: PredictConfig | str | None = None):
        if isinstance(config, str):  # PredictBackend("why"): the reason alone
            config = PredictConfig(reason=config)
        self.config = config or PredictConfig()
        self.lab_id = self.config.lab_id
        self.reason = self.config.reason

    def describe(self) -> str:
        # The reason is the caller's words, or PredictConfig's default (in the catalog: translated here).
        return _("prediction only — predicted, not observed ({reason})").format(reason=_(self.reason))

    def preflight(self) -> list[str]:
        return []

    def up(self, progress: Progress = no_progress) -> None:
        pass

    def down(self, progress: Progress = no_progress) -> None:
        pass

    def status(self) -> str:
        return _("prediction only: {reason}").format(reason=_(self.reason))

    def deploy(self, scenario: Cluster, progress: Progress = no_progress) -> Cluster:
        return scenario  # the model's own (assigned) pod IPs stand

    def apply(self, policies: Sequence[AnyPolicy], progress: Progress = no_progress) -> None:
        pass

    def delete(self, policies: Sequence[AnyPolicy], progress: Progress = no_progress) -> None:
        pass

    def probe(self, requests: Sequence[ProbeRequest], timeout: float = 1.0, workers: int = 8,
              progress: Progress = no_progress) -> list[ProbeResult]:
        raise LabError(_("the predict backend observes nothing; it has no probes to run"))

    def teardown(self, progress: Progress = no_progress) -> None:
        pass
