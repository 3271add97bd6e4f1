"""Every test keeps the learner's progress in a temporary file, never in the real home, and speaks English."""

from __future__ import annotations

import os
import tempfile

# Set at import, before any test or kernel starts, so notebook kernels started by nbval inherit it too.
os.environ.setdefault("NPKIT_PROGRESS", os.path.join(tempfile.mkdtemp(prefix="npkit-test-progress-"), "progress.json"))
# English unless a test asks for another language (with npkit.i18n.language): the tests compare English
# text, and a developer's Chinese locale must not change it. The zh-CN notebooks choose Chinese themselves.
os.environ["NPKIT_LANG"] = "en"
