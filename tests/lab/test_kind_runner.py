"""Running kind, kubectl and docker: long commands stream their output, a timeout asks the command
to stop instead of killing it outright, and error messages keep the cause, not just the last line."""

import time

import pytest

from npkit.cluster import runner as runner_module
from npkit.cluster.runner import Result, SubprocessRunner

from .fakes import DOCKER_INFO_DOWN_ERR, KIND_CREATE_FAILED, KIND_LIST_DOCKER_DOWN


def test_stream_passes_each_line_as_it_comes_and_keeps_the_output():
    seen = []
    result = SubprocessRunner().stream(["sh", "-c", "echo one; echo two >&2; exit 3"], seen.append, timeout=10)
    assert seen == ["one", "two"] and result.returncode == 3 and "one\ntwo\n" in result.stderr


def test_stream_asks_a_command_that_runs_too_long_to_stop():
    start = time.monotonic()
    result = SubprocessRunner().stream(["sh", "-c", "echo started; exec sleep 30"], lambda line: None, timeout=0.5)
    assert result.returncode == 124 and "did not finish within 0.5 s" in result.message()
    assert time.monotonic() - start < 10  # SIGTERM was enough


def test_stream_kills_only_what_ignores_the_request_to_stop(monkeypatch):
    monkeypatch.setattr(runner_module, "GRACE", 0.5)
    start = time.monotonic()
    result = SubprocessRunner().stream(["sh", "-c", "trap '' TERM; sleep 5 & wait; sleep 5"], lambda line: None,
                                       timeout=0.3)
    assert result.returncode == 124 and time.monotonic() - start < 5


def test_run_feeds_stdin_and_reports_a_missing_program():
    assert SubprocessRunner().run(["cat"], input="kind: Installation\n").stdout == "kind: Installation\n"
    missing = SubprocessRunner().run(["npkit-no-such-program"])
    assert missing.returncode == 127 and missing.message() == "npkit-no-such-program: command not found"


@pytest.mark.parametrize(("stderr", "first", "last"), [
    (KIND_CREATE_FAILED, "ERROR: failed to create cluster: failed to init node with kubeadm",
     "error execution phase wait-control-plane: failed while waiting for the kubelet to start"),
    (KIND_LIST_DOCKER_DOWN, "ERROR: failed to list clusters", "Command Output: Cannot connect to the Docker daemon"),
    (DOCKER_INFO_DOWN_ERR, "ERROR: Cannot connect to the Docker daemon", "errors pretty printing info"),
    ("\x1b[31mERROR\x1b[0m: failed to delete cluster\n", "ERROR: failed to delete cluster", None),
])
def test_a_failure_message_starts_with_the_tools_error_line_and_ends_with_its_last_words(stderr, first, last):
    message = Result(("kind",), 1, "", stderr).message()
    assert message.startswith(first)
    if last:
        assert message.splitlines()[-1].strip().startswith(last)
    assert len(message.splitlines()) <= 4  # a short tail, not the whole log
