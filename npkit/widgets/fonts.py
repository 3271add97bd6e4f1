"""Fonts for figures: matplotlib's default for Latin text, then a CJK font, so Chinese labels render
instead of empty boxes (matplotlib falls back glyph by glyph along the family list).

Debian's `fonts-noto-cjk` (in .ci/run and binder/apt.txt) provides Noto Sans CJK; on other systems
the first of CJK_FAMILIES found is used. The fonts apply inside `chinese_capable()` only: rcParams
outside it stay the user's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import cache

CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei",
                "PingFang SC", "Hiragino Sans GB", "Heiti SC")
# Font files that may hold one of them, for fonts installed after matplotlib built its font cache
# (matplotlib rescans only when its version changes).
CJK_FILES = ("notosanscjk", "sourcehansans", "notosanssc", "wqy", "msyh", "pingfang", "hiragino")


@cache
def cjk_family() -> str | None:
    """The CJK font family figures fall back to, or None when the system has none."""
    from matplotlib import font_manager

    def installed() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((f for f in CJK_FAMILIES if f in names), None)

    family = installed()
    if family is None:
        for path in font_manager.findSystemFonts():
            if any(key in path.lower().replace("-", "").replace("_", "") for key in CJK_FILES):
                font_manager.fontManager.addfont(path)  # makes the font known; changes no setting
        family = installed()
    return family


@contextlib.contextmanager
def chinese_capable() -> Iterator[None]:
    """Figures made inside the block draw Chinese characters with a CJK font (their text keeps its fonts)."""
    import matplotlib

    family = cjk_family()
    if family is None:
        yield
        return
    # Concrete family names, not the generic "sans-serif": matplotlib falls back along a list of families,
    # and each text keeps the list it was made with, so the figure draws the same when shown later.
    from matplotlib import font_manager

    latin = font_manager.FontProperties(family=matplotlib.rcParams["font.family"]).get_family()
    first = next((f for f in latin if f not in ("sans-serif", "serif", "monospace", "cursive", "fantasy")),
                 matplotlib.rcParams["font.sans-serif"][0])
    with matplotlib.rc_context({"font.family": [first, family]}):
        yield
