"""Labs: run scenarios for real on a backend, probe connectivity, compare with the engine.

`LabSession` is what lab notebooks use; `choose_backend` / `register_backend` pick and add backends.
"""

from .backend import LabBackend, LabError, ProbeRequest, ProbeResult, Progress, no_progress
from .compare import LabComparison, Mismatch
from .select import Choice, choose_backend, register_backend
from .session import CanaryResult, LabSession

__all__ = [
    "LabBackend", "LabError", "ProbeRequest", "ProbeResult", "Progress", "no_progress", "LabComparison",
    "Mismatch", "Choice", "choose_backend", "register_backend", "CanaryResult", "LabSession",
]
