"""Every exception npkit raises on purpose, under one root, and the exit code of each kind.

::

    NpkitError                  70  the root; one nobody classified further counts as a bug
    ├── InputError              2   the manifests are invalid; `diagnostics` holds every problem
    │   │                           (file, line, object, field path, the offending value)
    │   ├── SelectorSyntaxError 2   a Calico selector Calico would refuse (`column`); also a ValueError
    │   └── ScenarioError       2   a lab cannot deploy the scenario as written; also a ValueError
    ├── CompileError            2   the engine cannot compile a cluster built in code (a policy naming
    │                               a tier nobody created); also a ValueError
    ├── UsageError              2   the command line asks for something impossible
    ├── LabError                69  a lab cannot run here, or one of its steps failed
    │   └── LabConfigError      2   a lab option that cannot be honoured; also a UsageError
    ├── ClusterError            69  the cluster, not npkit, is the problem:
    │   ├── KubeError           69      the API server refused, failed or could not be reached (`status`)
    │   ├── KindError           69      the kind tool failed
    │   ├── UnsafeTarget        69      npkit refused to touch a cluster, or an object, that is not the lab's
    │   │   └── ForeignObject   69          an object of that name exists and the lab did not create it
    │   └── NotReady            69      the cluster did not become ready in time
    └── InternalError           70  npkit contradicted itself: a bug

The codes, which `npkit --help` and the README list too: 0 success; 1 findings (`npkit lint`
found an error-level problem, `npkit diff --exit-code` found a change), as `grep` and `diff`
use it; 2 bad input or usage, the code argparse already gives a bad command line; above 2 the
BSD sysexits.h codes: 69 (EX_UNAVAILABLE) when the environment stops npkit (no container
runtime, the cluster unreachable or never ready, a context that is not the lab's) and 70
(EX_SOFTWARE) for an internal error; 130 (128 + SIGINT) when interrupted with Ctrl-C.

This module imports nothing from npkit, so every layer can raise these. The classes keep
their old homes as aliases (`npkit.model.InputError`, `npkit.lab.errors.LabError`,
`npkit.cluster.readiness.Timeout`, ...), so code importing them from there keeps working.
The ones that were ValueErrors still are, so `except ValueError` still catches them.

>>> issubclass(InputError, NpkitError), NotReady.exit_code, InternalError("x").exit_code
(True, 69, 70)
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: `npkit` imports this before it can catch a Ctrl-C, so it stays small
if TYPE_CHECKING:  # only for annotations (npkit.model imports this module)
    from collections.abc import Iterable
    from typing import ClassVar

    from npkit.model import Diagnostic

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2  # bad input or usage
EXIT_ENVIRONMENT = 69  # sysexits.h EX_UNAVAILABLE
EXIT_INTERNAL = 70  # sysexits.h EX_SOFTWARE
EXIT_INTERRUPTED = 130  # 128 + SIGINT


def N_(message: str) -> str:
    """Mark a message for the catalog (npkit.i18n.N_, which this module may not import); translated where shown."""
    return message


# Printed by `npkit --help` in the user's language (npkit.cli.main translates it) and copied into the README
# in English (a test keeps them equal). One whole template, so a translation can reflow the lines.
EXIT_CODES_TEMPLATE = N_("""exit codes:
  {ok}    success
  {findings}    findings: lint found an error-level problem, diff --exit-code found a change
  {usage}    bad input or usage: invalid manifests, a wrong option, an unreadable file
  {environment}   the environment stops npkit: the lab cannot run here, the cluster is unreachable
       or never became ready (sysexits.h EX_UNAVAILABLE)
  {internal}   internal error: a bug in npkit (sysexits.h EX_SOFTWARE)
  {interrupted}  interrupted (Ctrl-C)""")
EXIT_CODES = {"ok": EXIT_OK, "findings": EXIT_FINDINGS, "usage": EXIT_USAGE, "environment": EXIT_ENVIRONMENT,
              "internal": EXIT_INTERNAL, "interrupted": EXIT_INTERRUPTED}
EXIT_CODES_HELP = EXIT_CODES_TEMPLATE.format(**EXIT_CODES)


class NpkitError(Exception):
    """The root of npkit's exceptions; `exit_code` is what the `npkit` command exits with."""

    exit_code: ClassVar[int] = EXIT_INTERNAL


class InputError(NpkitError):
    """Invalid input; carries every problem found, not just the first.

    >>> InputError([]).diagnostics, str(InputError(message="no pods"))
    ((), 'no pods')
    """

    exit_code = EXIT_USAGE

    def __init__(self, diagnostics: Iterable[Diagnostic] = (), message: str | None = None):
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        self.message = message if message is not None else "\n".join(str(d) for d in self.diagnostics)
        super().__init__(self.diagnostics, message)  # the arguments again, so that pickling works

    def __str__(self) -> str:
        return self.message

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The diagnostics of severity error (the others are warnings and notes)."""
        return tuple(d for d in self.diagnostics if d.severity == "error")


# Single-character stand-ins keep the caret aligned when the text holds a line break.
_VISIBLE = str.maketrans({"\n": "\u21b5", "\r": "\u240d"})


class SelectorSyntaxError(InputError, ValueError):
    """A Calico selector that Calico would reject; `column` is 1-based, in characters.

    >>> err = SelectorSyntaxError("use == (two equals signs) to compare", 5, "app = 'web'")
    >>> print(err)
    use == (two equals signs) to compare
      app = 'web'
          ^
    """

    def __init__(self, message: str, column: int, text: str = ""):
        super().__init__(message=message)
        self.args = (message, column, text)
        self.column = column
        self.text = text

    def __str__(self) -> str:
        shown = self.text.translate(_VISIBLE)
        # Copy tabs from the text so the caret lines up however the terminal expands them.
        pad = "".join("\t" if c == "\t" else " " for c in shown[: self.column - 1])
        return f"{self.message}\n  {shown}\n  {pad}^"


class ScenarioError(InputError, ValueError):
    """The scenario cannot be deployed as written; the message says what to change."""

    def __init__(self, message: str):
        super().__init__(message=message)
        self.args = (message,)


class CompileError(NpkitError, ValueError):
    """The engine cannot compile the cluster it was given; the message names the object."""

    exit_code = EXIT_USAGE


class UsageError(NpkitError):
    """Bad command-line input, or a request that cannot be met; the message says what to do."""

    exit_code = EXIT_USAGE


class LabError(NpkitError):
    """A lab step failed in a way the learner can act on; the message says how."""

    exit_code = EXIT_ENVIRONMENT


class LabConfigError(LabError, UsageError):
    """A lab or backend option that cannot be honoured (reported before anything is created)."""

    exit_code = EXIT_USAGE


class ClusterError(NpkitError):
    """A problem with the cluster npkit talks to, not with npkit or its input."""

    exit_code = EXIT_ENVIRONMENT


class KubeError(ClusterError):
    """The API refused or could not be reached; the message names the object and the API's reason.

    `status` is the HTTP status (409 AlreadyExists/Conflict, 404, ...), None when nothing answered."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class KindError(ClusterError):
    """kind failed; the message has kind's ERROR line, the end of its output and where to look."""


class UnsafeTarget(ClusterError):
    """A call to the cluster was refused; the message says why and how to allow it on purpose."""


class ForeignObject(UnsafeTarget):
    """An object with the name the lab wants already exists and was not created by this lab."""


class NotReady(ClusterError):
    """Waiting took too long; the message lists what was still not ready."""


class InternalError(NpkitError):
    """npkit broke one of its own rules: a bug, to be reported."""
