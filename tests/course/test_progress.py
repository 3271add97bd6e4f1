"""The learner's progress survives the kernel: answers, first tries, done marks; the course home shows it."""

from __future__ import annotations

import json
import os
import stat
import threading

import pytest

from npkit.course import course_home, intro, progress, reset_progress, what_next
from npkit.course.progress import PROGRESS_ENV, Progress, ProgressFile, progress_path
from npkit.widgets import memory


@pytest.fixture
def home(tmp_path, monkeypatch):
    path = tmp_path / "data" / "progress.json"
    monkeypatch.setenv(PROGRESS_ENV, str(path))
    previous = memory.current()
    yield path
    memory.use(previous)


def test_answers_and_first_tries_survive_a_new_kernel(home):
    p = progress("03")
    assert p.record_try("question/b-to-web", False).first
    again = p.record_try("question/b-to-web", True)
    assert (again.first, again.first_correct, again.attempts, again.ever_correct) == (False, False, 2, True)
    p.save_answer("exercise/03-and-or", "kind: NetworkPolicy\n")
    data = json.loads(home.read_text())  # on disk, readable, nothing else needed to read it back
    assert data["notebooks"]["03"]["answers"]["exercise/03-and-or"] == "kind: NetworkPolicy\n"
    fresh = Progress("03", ProgressFile(home))  # what a new kernel reads
    assert fresh.first_try("question/b-to-web") is False and fresh.answer("exercise/03-and-or") == "kind: NetworkPolicy\n"
    assert fresh.first_try("question/never") is None


def test_reset_forgets_one_notebook_or_everything(home):
    progress("03").save_answer("exercise/03-and-or", "a")
    progress("04").save_answer("exercise/04-ports", "b")
    reset_progress("03")
    assert progress("03").answer("exercise/03-and-or") is None and progress("04").answer("exercise/04-ports") == "b"
    reset_progress()
    assert progress("04").answer("exercise/04-ports") is None


def test_the_variable_redirects_and_off_keeps_nothing_on_disk(tmp_path, monkeypatch):
    monkeypatch.setenv(PROGRESS_ENV, "off")
    assert progress_path() is None
    progress("05").save_answer("k", "v")
    assert progress("05").answer("k") == "v"  # kept for this kernel
    assert not list(tmp_path.iterdir())
    monkeypatch.delenv(PROGRESS_ENV)
    assert progress_path().name == "progress.json" and "npkit" in str(progress_path())  # the user's data dir


def test_kernels_writing_at_once_lose_nothing(home):
    def answer(n: int) -> None:
        Progress(f"{n:02d}", ProgressFile(home)).save_answer("exercise/x", str(n))

    threads = [threading.Thread(target=answer, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {progress(f"{n:02d}").answer("exercise/x") for n in range(12)} == {str(n) for n in range(12)}


def test_an_unreadable_file_is_kept_aside_not_lost(home):
    home.parent.mkdir(parents=True)
    home.write_text("{ this is not json")
    progress("00").save_answer("k", "v")
    assert (home.parent / "progress.json.unreadable").read_text() == "{ this is not json"
    assert progress("00").answer("k") == "v"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through read-only modes")
def test_a_read_only_home_keeps_progress_in_memory_and_says_why(home):
    home.parent.mkdir(parents=True)
    home.parent.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        p = progress("00")
        p.save_answer("k", "v")
        assert p.answer("k") == "v" and "cannot write" in (p.problem or "")
    finally:
        home.parent.chmod(stat.S_IRWXU)


def test_intro_makes_widgets_remember_into_the_notebooks_record(home):
    intro("02")
    memory.current().record_try("question/q", True)
    assert progress("02").first_try("question/q") is True


def test_the_course_home_links_every_notebook_and_ticks_the_done_ones(home):
    end = what_next("03")
    assert repr(end) == "Next: 04 · Ports (about 20 min): 04-ports.ipynb"
    end.button.click()
    rows = {r[0]: r for r in course_home().rows}
    assert rows["03"][4] and not rows["04"][4]
    assert rows["L1"][2] == "../labs/lab-01-default-deny.ipynb"
    html = course_home()._repr_html_()
    assert "href='04-ports.ipynb'" in html and "25 min" in html
    end.button.click()  # a second click takes the tick away again
    assert not {r[0]: r for r in course_home().rows}["03"][4]
    progress("03").record_try("exercise/03-and-or", True)
    assert "exercises 1/3" in {r[0]: r for r in course_home().rows}["03"][5]
