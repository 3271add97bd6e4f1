"""Helpers for loading tests: load YAML text and get its errors, find the line of a snippet."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

import pytest

from npkit.loading import load_string
from npkit.model import Cluster, Diagnostic, InputError


class Loader:
    """`load(text)` for valid input, `errors(text)` for invalid input; text is dedented."""

    filename = "test.yaml"

    def load(self, text: str, **kwargs) -> Cluster:
        return load_string(textwrap.dedent(text), self.filename, **kwargs)

    def errors(self, text: str, **kwargs) -> list[Diagnostic]:
        with pytest.raises(InputError) as info:
            load_string(textwrap.dedent(text), self.filename, **kwargs)
        errors = list(info.value.errors)
        assert errors, "InputError without errors"
        return errors

    def error(self, text: str, **kwargs) -> Diagnostic:
        """The single error of `text` (fails when there are several)."""
        errors = self.errors(text, **kwargs)
        assert len(errors) == 1, "\n".join(map(str, errors))
        return errors[0]

    @staticmethod
    def line_of(text: str, snippet: str, occurrence: int = 1) -> int:
        """1-based line of the `occurrence`-th line of (dedented) `text` containing `snippet`."""
        found = 0
        for number, line in enumerate(textwrap.dedent(text).splitlines(), 1):
            if snippet in line:
                found += 1
                if found == occurrence:
                    return number
        raise AssertionError(f"{snippet!r} not in text")


@pytest.fixture
def yaml_loader() -> Loader:
    return Loader()


def policy(spec: str, name: str = "web", namespace: str = "prod") -> str:
    """A NetworkPolicy document with `spec` (YAML indented as under `spec:`)."""
    body = textwrap.indent(textwrap.dedent(spec).strip("\n"), "  ")
    return (f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n"
            f"  namespace: {namespace}\nspec:\n{body}\n")


@pytest.fixture
def make_policy():
    return policy


# The quick readers of usual objects: each gives up (None) when a full reader must read the part.
QUICK_READERS = (("kinds", "_usual_metadata"), ("podspec", "_usual_pod_spec"), ("podspec", "_usual_container"))


@pytest.fixture
def full_readers_only(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """`call(f, *args)`: f(*args) with every quick reader giving up, to compare with f(*args) as it is."""
    from npkit.loading import kinds, podspec

    modules = {"kinds": kinds, "podspec": podspec}

    def call(f: Callable[..., Any], *args: Any) -> Any:
        with monkeypatch.context() as m:
            for module, name in QUICK_READERS:
                m.setattr(modules[module], name, lambda *_: None)
            return f(*args)

    return call


@pytest.fixture
def quick_path_taken(monkeypatch: pytest.MonkeyPatch) -> Callable[[object, str], list[bool]]:
    """`quick_path_taken(module, name)`: a list that records, call by call, whether that quick reader took its part."""

    def watch(module: object, name: str) -> list[bool]:
        taken: list[bool] = []
        quick = getattr(module, name)

        def counted(*args: object) -> object:
            result = quick(*args)
            taken.append(result is not None)
            return result

        monkeypatch.setattr(module, name, counted)
        return taken

    return watch
