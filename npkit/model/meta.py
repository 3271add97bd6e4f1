"""Identity and provenance shared by every object npkit loads."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    """Where an object (or one of its fields) was written: file and 1-based line.

    >>> str(Origin("policies.yaml", 12))
    'policies.yaml:12'
    """

    file: str = "<python>"
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class ObjectRef:
    """Kind, namespace and name of an object, as kubectl prints it.

    >>> str(ObjectRef("NetworkPolicy", "allow-web", "prod"))
    'NetworkPolicy prod/allow-web'
    """

    kind: str
    name: str
    namespace: str | None = None

    @property
    def qualified_name(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    def __str__(self) -> str:
        return f"{self.kind} {self.qualified_name}"
