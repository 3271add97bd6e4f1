"""Run a callback once typing pauses, instead of on every keystroke.

In a kernel the event loop is running, so the call is scheduled on it (same thread as
every other widget callback). Without one (pytest, a plain script) the call happens at
once, which keeps tests synchronous.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Debouncer:
    """`debouncer(*args)` calls `fn(*args)` after `wait` seconds without another call.

    >>> calls = []
    >>> d = Debouncer(0.2, calls.append)
    >>> d("now, there is no event loop")
    >>> calls
    ['now, there is no event loop']
    """

    def __init__(self, wait: float, fn: Callable[..., None]):
        self.wait = wait
        self.fn = fn
        self._handle: asyncio.TimerHandle | None = None

    def __call__(self, *args) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        loop = None
        if self.wait > 0:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
        if loop is None:
            self.fn(*args)
        else:
            self._handle = loop.call_later(self.wait, self._fire, args)

    def _fire(self, args: tuple) -> None:
        self._handle = None
        self.fn(*args)
