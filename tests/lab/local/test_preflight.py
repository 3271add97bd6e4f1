"""Where the local backend cannot run, it says why in one line (and the tests skip with it)."""

import pytest

from npkit.lab.backend import LabError
from npkit.lab.backends.local import LocalBackend, lab_name, preflight


@pytest.fixture
def fresh(monkeypatch):
    """Forget the cached answer so each test asks again."""
    monkeypatch.setattr(preflight, "_cache", None)
    return monkeypatch


def test_not_linux(fresh):
    fresh.setattr(preflight.sys, "platform", "darwin")
    problems = LocalBackend().preflight()
    assert problems == ["the local lab backend needs Linux network namespaces; this is darwin "
                        "(use the kind backend, or predictions)"]
    assert LocalBackend().usable() == problems


def test_not_root(fresh):
    fresh.setattr(preflight.sys, "platform", "linux")
    fresh.setattr(preflight.os, "geteuid", lambda: 1000)
    [line] = LocalBackend().preflight()
    assert line.startswith("the local lab backend needs root") and "\n" not in line


def test_missing_nft(fresh):
    fresh.setattr(preflight.sys, "platform", "linux")
    fresh.setattr(preflight.os, "geteuid", lambda: 0)
    fresh.setattr(preflight, "have", lambda cmd: cmd != "nft")
    assert LocalBackend().preflight() == ["the local lab backend needs the `nft` command: apt-get install nftables"]


def test_status_and_up_say_the_same_line(fresh):
    fresh.setattr(preflight.sys, "platform", "darwin")
    lab = LocalBackend()
    first = lab.status().splitlines()[0]
    assert first.endswith("needs Linux network namespaces; this is darwin (use the kind backend, or predictions)")
    with pytest.raises(LabError, match="needs Linux network namespaces"):
        lab.up()


def test_lab_ids_become_namespace_safe_names():
    assert lab_name("lab-01") == "lab-01"
    assert lab_name("Lab_01.x") != lab_name("lab-01-x")  # changed ids carry a hash: no collisions
    assert "." not in lab_name("a.b") and len(lab_name("x" * 63)) <= 24
