"""Every test keeps the learner's progress in a temporary file, never in the real home."""

from __future__ import annotations

import os
import tempfile

# Set at import, before any test or kernel starts, so notebook kernels started by nbval inherit it too.
os.environ.setdefault("NPKIT_PROGRESS", os.path.join(tempfile.mkdtemp(prefix="npkit-test-progress-"), "progress.json"))
