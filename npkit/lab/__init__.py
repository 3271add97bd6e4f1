"""Labs: run scenarios for real on a backend, probe connectivity, compare with the engine.

`LabSession` is the library's entry point; lab notebooks use `open_lab` and `local_opt_in`
(notebook.py: the notebook front end, which shows the session's words and the opt-in button);
`choose_backend` / `register_backend` pick and add backends, each with a typed configuration.
"""

from .backend import (
    CleanReport,
    LabBackend,
    LabConfigError,
    LabError,
    LabRecord,
    ProbeRequest,
    ProbeResult,
    Progress,
    no_progress,
)
from .card import LabCard
from .compare import LabComparison, Mismatch
from .config import BackendConfig, KindConfig, LocalConfig, PredictConfig
from .notebook import LocalOptIn, local_opt_in, open_lab
from .provenance import Provenance
from .select import Choice, choose_backend, register_backend
from .session import CanaryResult, LabSession

__all__ = [
    "BackendConfig", "CanaryResult", "Choice", "CleanReport", "KindConfig", "LabBackend", "LabCard", "LabComparison",
    "LabConfigError", "LabError", "LabRecord", "LabSession", "LocalConfig", "LocalOptIn", "Mismatch",
    "PredictConfig", "ProbeRequest", "ProbeResult", "Progress", "Provenance", "choose_backend", "local_opt_in",
    "no_progress", "open_lab", "register_backend",
]
