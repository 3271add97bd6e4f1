"""The lab's errors, in one place so they can join npkit's error hierarchy by changing one line each.

* `LabError` — the lab cannot run here or a step failed in a way the learner can act on (no
  root, the kind API is down, a server did not start). The CLI maps it to the environment exit
  code; the message says what to do.
* `LabConfigError` — the lab was asked for something it cannot do (an option a backend cannot
  honour, a bad lab id): a usage error, reported before anything is created.
"""

from __future__ import annotations


class LabError(Exception):
    """A lab step failed in a way the learner can act on; the message says how."""


class LabConfigError(LabError):
    """A lab or backend option that cannot be honoured (reported before anything is created)."""
