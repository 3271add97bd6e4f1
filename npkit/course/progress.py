"""The learner's progress, kept in one small JSON file so it survives a closed notebook.

What is kept, per notebook: answers (exercise YAML, the last selector typed), tries (whether
the first answer to each question was right, and how many answers there were) and the
sections marked done. Where: `progress.json` in the user's data directory (platformdirs:
`~/.local/share/npkit` on Linux), or the file named by `NPKIT_PROGRESS` (tests and CI point
it at a temporary file; `NPKIT_PROGRESS=off` keeps nothing on disk).

    from npkit.course import progress, reset_progress
    p = progress("03")                  # this notebook's view of the file
    p.record_try("question/b-to-web", correct=False).first      # True: the first try is kept
    p.save_answer("exercise/03-and-or", yaml_text); p.answer("exercise/03-and-or")
    p.complete("")                      # the notebook is done ("" = the whole notebook)
    reset_progress()                    # forget everything (or reset_progress("03"))

Several notebooks (kernels) may write at once: every change re-reads the file under a lock
and replaces it atomically, so one kernel never overwrites another's answers. A file that
cannot be read is kept aside (`progress.json.unreadable`), never deleted.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..i18n import messages
from ..widgets.memory import Try

_ = messages("npkit-ui").gettext
PROGRESS_ENV = "NPKIT_PROGRESS"
VERSION = 1
Data = dict[str, Any]


def progress_path() -> Path | None:
    """Where progress is kept: `$NPKIT_PROGRESS`, else the user's data directory; None for "off"."""
    value = os.environ.get(PROGRESS_ENV, "").strip()
    if value.lower() == "off":
        return None
    if value:
        return Path(value).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("npkit", appauthor=False)) / "progress.json"


def _empty() -> Data:
    return {"version": VERSION, "notebooks": {}}


# Progress kept in memory (NPKIT_PROGRESS=off, or a file that cannot be written), shared by every
# notebook view in this kernel, keyed by the file it stands in for.
_IN_MEMORY: dict[Path | None, Data] = {}


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on `path`.lock while a change is written (no lock where fcntl is missing)."""
    try:
        import fcntl
    except ImportError:  # Windows: writes are still atomic, only not serialised
        yield
        return
    with open(path.with_name(path.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class ProgressFile:
    """The whole file: read on every access (it is small), changed under a lock.

    When the file cannot be written (a read-only home) the changes are kept in memory and
    `problem` says why, so a widget can tell the learner.
    """

    def __init__(self, path: Path | None):
        self.path = path
        self.problem: str | None = None

    @property
    def _memory(self) -> Data:
        return _IN_MEMORY.setdefault(self.path, _empty())

    def read(self) -> Data:
        """The current contents (an empty record when there is no file yet)."""
        if self.path is None or self.problem:
            return self._memory
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _empty()
        except OSError as e:
            return self._fail(_("cannot read {path}: {reason}; progress is kept only until the kernel stops").format(
                path=self.path, reason=e.strerror))
        try:
            data: Data = json.loads(text)
            if not isinstance(data, dict) or not isinstance(data.get("notebooks"), dict):
                raise ValueError("not a progress record")
        except ValueError:
            self._set_aside()
            return _empty()
        return data

    def change(self, edit: Callable[[Data], None]) -> None:
        """Apply `edit` to the freshest contents and write them back atomically."""
        if self.path is None or self.problem:
            edit(self._memory)
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with _locked(self.path):
                data = self.read()
                edit(data)
                self._write(data)
        except OSError as e:
            self._fail(_("cannot write {path}: {reason}; progress is kept only until the kernel stops").format(
                path=self.path, reason=e.strerror))
            edit(self._memory)

    def _write(self, data: Data) -> None:
        assert self.path is not None
        fd, tmp = tempfile.mkstemp(prefix=".progress-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _set_aside(self) -> None:
        """Keep an unreadable file under another name instead of overwriting it."""
        assert self.path is not None
        with contextlib.suppress(OSError):
            os.replace(self.path, self.path.with_name(self.path.name + ".unreadable"))

    def _fail(self, message: str) -> Data:
        self.problem = message
        return self._memory


def _notebook(data: Data, notebook: str) -> Data:
    entry: Data = data["notebooks"].setdefault(notebook, {})
    for part, empty in (("answers", {}), ("tries", {}), ("sections", [])):
        entry.setdefault(part, empty)
    return entry


@dataclass(frozen=True)
class NotebookProgress:
    """One notebook's record, for the course home."""

    notebook: str
    answered: int  # questions answered at least once
    first_right: int  # of those, right on the first try
    exercises_passed: tuple[str, ...]
    sections: tuple[str, ...]

    @property
    def done(self) -> bool:
        """Marked done by the learner (the What-next button)."""
        return "" in self.sections


class Progress:
    """One notebook's view of the progress file; a `npkit.widgets.memory.Memory`.

    >>> import tempfile
    >>> file = ProgressFile(Path(tempfile.mkdtemp()) / "progress.json")
    >>> p = Progress("03", file)
    >>> p.record_try("question/q1", False).first, Progress("03", file).first_try("question/q1")
    (True, False)
    >>> p.save_answer("exercise/03-and-or", "kind: NetworkPolicy"); Progress("03", file).answer("exercise/03-and-or")
    'kind: NetworkPolicy'
    >>> Progress("04", file).answer("exercise/03-and-or") is None    # each notebook has its own record
    True
    """

    def __init__(self, notebook: str = "", file: ProgressFile | None = None):
        self.notebook = notebook or "course"
        self.file = file or ProgressFile(progress_path())

    @property
    def problem(self) -> str | None:
        """Why progress is not being saved to disk, if it is not."""
        return self.file.problem

    def _mine(self) -> Data:
        return _notebook(self.file.read(), self.notebook)

    def answer(self, key: str) -> str | None:
        """The learner's last saved answer for `key`."""
        value = self._mine()["answers"].get(key)
        return value if isinstance(value, str) else None

    def save_answer(self, key: str, value: str) -> None:
        """Keep the learner's answer (an exercise's YAML, a selector)."""
        self.file.change(lambda data: _notebook(data, self.notebook)["answers"].__setitem__(key, value))

    def record_try(self, key: str, correct: bool) -> Try:
        """Count one more answer to `key`; the first answer's correctness is kept for good."""
        result: list[Try] = []

        def edit(data: Data) -> None:
            tries = _notebook(data, self.notebook)["tries"]
            before = tries.get(key)
            if before is None:
                record = {"first_correct": bool(correct), "attempts": 1, "ever_correct": bool(correct)}
            else:
                record = {"first_correct": bool(before.get("first_correct")),
                          "attempts": int(before.get("attempts", 1)) + 1,
                          "ever_correct": bool(before.get("ever_correct")) or bool(correct)}
            tries[key] = record
            result.append(Try(before is None, bool(record["first_correct"]), int(record["attempts"]),
                              bool(record["ever_correct"])))

        self.file.change(edit)
        return result[0]

    def first_try(self, key: str) -> bool | None:
        """Whether the first answer to `key` was right (None: never answered)."""
        record = self._mine()["tries"].get(key)
        return None if record is None else bool(record.get("first_correct"))

    def complete(self, section: str) -> None:
        """Mark a section done ("" marks the whole notebook)."""
        def edit(data: Data) -> None:
            sections = _notebook(data, self.notebook)["sections"]
            if section not in sections:
                sections.append(section)

        self.file.change(edit)

    def reopen(self, section: str) -> None:
        """Take a section's done mark away again."""
        def edit(data: Data) -> None:
            sections = _notebook(data, self.notebook)["sections"]
            if section in sections:
                sections.remove(section)

        self.file.change(edit)

    def completed(self) -> tuple[str, ...]:
        """The sections marked done."""
        return tuple(self._mine()["sections"])

    def summary(self) -> NotebookProgress:
        """Counts for the course home."""
        mine = self._mine()
        tries = {k: v for k, v in mine["tries"].items() if k.startswith("question/") or k.startswith("predict/")}
        passed = tuple(sorted(k.split("/", 1)[1] for k, v in mine["tries"].items()
                              if k.startswith("exercise/") and v.get("ever_correct")))
        return NotebookProgress(self.notebook, len(tries), sum(1 for v in tries.values() if v.get("first_correct")),
                                passed, tuple(mine["sections"]))

    def __repr__(self) -> str:
        where = self.file.path or "memory only"
        return f"<progress of notebook {self.notebook} in {where}>"


def progress(notebook: str = "") -> Progress:
    """The learner's progress for one notebook (read from the progress file)."""
    return Progress(notebook)


def reset_progress(notebook: str | None = None) -> None:
    """Forget the learner's progress: everything, or one notebook's."""
    def edit(data: Data) -> None:
        if notebook is None:
            data.clear()
            data.update(_empty())
        else:
            data["notebooks"].pop(str(notebook), None)

    ProgressFile(progress_path()).change(edit)


def start_notebook(notebook: str) -> Progress:
    """Make this notebook's progress the store widgets remember answers in (called by `intro`)."""
    from ..widgets.memory import use

    store = progress(notebook)
    use(store)
    return store
