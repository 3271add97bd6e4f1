"""What `-f` accepts: regular files, directories and stdin; anything else is refused at once, and an
unreadable path is exit 2 naming it. Warnings reach stderr in every output mode."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from npkit.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
CASE = str(ROOT / "tests/data/conformance/k8s/010-podselector-and-nsselector.yaml")
POLICY = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: x}\n"
          "spec: {podSelector: {}}\n")


def _main_within(seconds: float, argv: list[str]) -> int:
    """main(argv), failing the test instead of hanging when it blocks."""
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(main(argv)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert result, f"npkit {' '.join(argv)} did not finish within {seconds} s"
    return result[0]


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path, capsys):
    fifo = tmp_path / "policies.yaml"
    os.mkfifo(fifo)
    assert _main_within(10, ["check", "-f", str(fifo)]) == 2
    err = capsys.readouterr().err
    assert f"{fifo}: error: {fifo} is a FIFO (named pipe), not a regular file" in err
    assert "npkit check -f -" in err  # what to do instead


def test_a_socket_and_a_device_are_refused(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        assert main(["check", "-f", str(path), "/dev/null"]) == 2
    err = capsys.readouterr().err
    assert f"{path} is a socket, not a regular file" in err
    assert "/dev/null is a character device, not a regular file" in err


def test_a_fifo_in_a_directory_is_skipped_with_a_warning(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text(POLICY)
    os.mkfifo(tmp_path / "b.yaml")
    assert _main_within(10, ["check", "-f", CASE, str(tmp_path)]) == 0
    assert f"warning: skipped {tmp_path / 'b.yaml'}: it is a FIFO (named pipe), not a regular file" in \
        capsys.readouterr().err


def _without_root_powers() -> list[str]:
    """A prefix that runs a command without root's power to read any file (or nothing when not root)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: every file is readable")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]


@pytest.mark.parametrize("what", ["file", "directory"])
def test_an_unreadable_path_is_exit_2_naming_it(tmp_path, what):
    target = tmp_path / ("locked.yaml" if what == "file" else "locked")
    if what == "file":
        target.write_text(POLICY)
    else:
        target.mkdir()
        (target / "p.yaml").write_text(POLICY)
    target.chmod(0)
    try:
        done = subprocess.run(_without_root_powers() + [sys.executable, "-m", "npkit.cli.main", "check", "-f", CASE,
                                                         str(target)],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)
    finally:
        target.chmod(0o700)
    assert done.returncode == 2, done.stderr
    reading = "directory " if what == "directory" else ""
    assert f"{target}: error: cannot read {reading}{target}: Permission denied" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_path_names_it(capsys):
    assert main(["check", "-f", "/nonexistent/policies.yaml"]) == 2
    assert "no such file or directory: /nonexistent/policies.yaml" in capsys.readouterr().err


# -- warnings in every output mode ---------------------------------------------------------


@pytest.fixture
def twice(tmp_path) -> str:
    """A policy defined twice: the second replaces the first, with a warning."""
    path = tmp_path / "twice.yaml"
    path.write_text(POLICY + "---\n" + POLICY)
    return str(path)


@pytest.mark.parametrize("argv", [
    ["check"],
    ["matrix", "--port", "80"], ["matrix", "--port", "80", "-o", "json"],
    ["explain", "--from", "x/a", "--to", "x/b", "--port", "80"],
    ["explain", "--from", "x/a", "--to", "x/b", "--port", "80", "-o", "json"],
    ["lint"], ["lint", "-o", "json"],
])
def test_warnings_go_to_stderr_in_every_output_mode(argv, twice, capsys):
    main([argv[0], "-f", CASE, twice, *argv[1:]])
    out, err = capsys.readouterr()
    assert "warning: NetworkPolicy x/deny: NetworkPolicy x/deny is defined twice" in err
    if "json" in argv:
        json.loads(out)  # stdout stays one JSON document


@pytest.mark.parametrize("output", ["text", "json"])
def test_diff_warns_in_every_output_mode(output, twice, capsys):
    main(["diff", "-f", CASE, "--against", CASE, twice, "--port", "80", "-o", output])
    assert "is defined twice" in capsys.readouterr().err
