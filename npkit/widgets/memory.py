"""What widgets remember about the learner: answers, first tries, completed sections.

Widgets never import the course layer. They ask `current()` for a `Memory` (the protocol
below). By default that is an `InMemory` store that forgets everything when the kernel
stops; the course installs its file-backed store (`npkit.course.progress`) with `use()`
when a notebook starts (`intro("03")`), so answers survive a closed notebook.

Keys are relative to the notebook ("exercise/03-and-or", "question/y-a-to-x-a"); a store
that knows the notebook prefixes them.

>>> m = InMemory()
>>> m.record_try("question/q1", False).first, m.record_try("question/q1", True).first_correct
(True, False)
>>> m.first_try("question/q1"), m.first_try("question/never")
(False, None)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Try:
    """The record of one question after an answer: whether this was the first answer,
    whether the first answer was right, and how many answers there have been."""

    first: bool
    first_correct: bool
    attempts: int
    ever_correct: bool = False


class Memory(Protocol):
    """Where widgets keep what the learner did (npkit.course.progress.Progress is one)."""

    def answer(self, key: str) -> str | None: ...

    def save_answer(self, key: str, value: str) -> None: ...

    def record_try(self, key: str, correct: bool) -> Try: ...

    def first_try(self, key: str) -> bool | None: ...

    def complete(self, section: str) -> None: ...

    def completed(self) -> tuple[str, ...]: ...


class InMemory:
    """A Memory that lives as long as the kernel: the default, and what tests use."""

    def __init__(self) -> None:
        self.answers: dict[str, str] = {}
        self.tries: dict[str, Try] = {}
        self.sections: list[str] = []

    def answer(self, key: str) -> str | None:
        """The learner's last saved answer for `key`, if any."""
        return self.answers.get(key)

    def save_answer(self, key: str, value: str) -> None:
        """Remember the learner's answer (e.g. an exercise's YAML)."""
        self.answers[key] = value

    def record_try(self, key: str, correct: bool) -> Try:
        """Count one more answer to a question; the first one is kept for good."""
        before = self.tries.get(key)
        if before is None:
            now = Try(True, correct, 1, correct)
        else:
            now = Try(False, before.first_correct, before.attempts + 1, before.ever_correct or correct)
        self.tries[key] = now
        return now

    def first_try(self, key: str) -> bool | None:
        """Whether the first answer was right (None: never answered)."""
        record = self.tries.get(key)
        return None if record is None else record.first_correct

    def complete(self, section: str) -> None:
        """Mark a section (or the notebook, section "") as done."""
        if section not in self.sections:
            self.sections.append(section)

    def completed(self) -> tuple[str, ...]:
        """The sections marked done, in the order they were."""
        return tuple(self.sections)


_current: list[Memory] = [InMemory()]


def current() -> Memory:
    """The store widgets use now."""
    return _current[0]


def use(memory: Memory) -> Memory:
    """Make `memory` the store widgets use from now on; returns the previous one."""
    previous = _current[0]
    _current[0] = memory
    return previous
