"""The lab's errors, now part of npkit's one error hierarchy (npkit/errors.py), importable from here.

* `LabError` — the lab cannot run here or a step failed in a way the learner can act on (no
  root, the kind API is down, a server did not start). The CLI maps it to the environment exit
  code; the message says what to do.
* `LabConfigError` — the lab was asked for something it cannot do (an option a backend cannot
  honour, a bad lab id): a usage error, reported before anything is created.
"""

from __future__ import annotations

from ..errors import LabConfigError, LabError  # drawn with every npkit error in npkit/errors.py

__all__ = ["LabConfigError", "LabError"]
