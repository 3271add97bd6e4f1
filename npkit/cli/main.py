"""The `npkit` command: parse the command line, run a subcommand, turn every outcome into an exit code.

The exit codes, and which exceptions lead to them, are drawn in npkit/errors.py; `npkit --help` lists
them. Whatever happens, the user sees a message and never a traceback (unless NPKIT_DEBUG is set).
"""

from __future__ import annotations

import contextlib
import errno
import gc
import importlib
import os
import signal
import sys

from ..errors import (
    EXIT_CODES,
    EXIT_CODES_TEMPLATE,
    EXIT_ENVIRONMENT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    InputError,
    NpkitError,
)
from ..i18n import N_, messages
from .localized import localized

_, ngettext = messages("npkit-tools").gettext, messages("npkit-tools").ngettext

# numpy's OpenBLAS starts a thread per core when numpy is imported, and they spin for a while: about
# 50 ms of CPU at every start of `npkit`, which never multiplies a matrix (the engine uses numpy for
# element-wise work only). One thread, unless the user chose otherwise; set before numpy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

TYPE_CHECKING = False  # not typing's: what runs before main() catches a Ctrl-C is kept to a minimum
if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator, Sequence
    from typing import Any

# What writing the output can fail with: the disk or the quota is full, the file too large, the device gone.
_WRITE_FAILURES = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})

# Why numpy is imported by build_parser itself, before the command's module (which needs it anyway):
# CPython 3.11 keeps Python frames in 16 KiB chunks and frees a chunk as soon as the frame that
# opened it returns. Imported from inside the command's module (~40 frames deep: the command, then
# npkit.engine, then numpy's own nested imports), numpy's typing module crossed a chunk boundary
# ~3,000 times, one mmap and munmap each: 10 ms of a 0.3 s `npkit connlist` (measured with
# strace and benchmarks/bench_connlist.py). From here it stays within the first chunk.

# Each module in commands/ adds one subcommand's options; its one-line help is here, so that
# `npkit --help` lists every command without importing any (only the command being run is
# imported: `npkit --help` and each command start without loading what the others need).
# (N_ marks them for the catalog; they are translated when the parser is built, in the language of that moment.)
COMMANDS = {
    "check": N_("validate policies and show what they select"),
    "matrix": N_("print the reachability matrix"),
    "connlist": N_("list every allowed connection, over all protocols and ports"),
    "explain": N_("explain the verdict for one connection"),
    "lint": N_("check policies for mistakes and missing best practices"),
    "diff": N_("compare two sets of policies by the connections they allow"),
    "lab": N_("hands-on labs on a real cluster: up, down, status, run, rules, clean"),
}


class _Subcommand:
    """What a command module's `register` gets: `add_parser` with the help line listed above."""

    def __init__(self, sub: argparse._SubParsersAction[argparse.ArgumentParser], help_text: str):
        self.sub, self.help_text = sub, help_text

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return localized(self.sub.add_parser(name, help=self.help_text, **kwargs))


def _command_in(argv: Sequence[str]) -> str | None:
    """The subcommand `argv` names (its first word that is not an option), if it is one."""
    word = next((a for a in argv if not a.startswith("-")), None)
    return word if word in COMMANDS else None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for `argv` (default: the process's arguments): every command listed, the one named set up."""
    import argparse

    parser = localized(argparse.ArgumentParser(
        prog="npkit",
        description=_("Evaluate Kubernetes NetworkPolicy, Calico policy and ClusterNetworkPolicy offline, "
                      "and explain every verdict."),
        epilog=_(EXIT_CODES_TEMPLATE).format(**EXIT_CODES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    ))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = _command_in(sys.argv[1:] if argv is None else argv)
    if chosen is not None:
        importlib.import_module("numpy")  # every command needs it: imported here, near the stack's bottom (see below)
    for name, help_text in COMMANDS.items():
        if name == chosen:
            importlib.import_module(f"npkit.cli.commands.{name}").register(_Subcommand(sub, _(help_text)))
        else:
            localized(sub.add_parser(name, help=_(help_text)))
    return parser


@contextlib.contextmanager
def _collector_paused(pause: bool) -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a short command runs (`lab` runs long: not it).

    Loading builds hundreds of thousands of small objects and no garbage cycles (peak memory is the
    same either way), but the collector's passes over them grow with the heap: 65,000 pods load in
    10 s without them, 17 s with them.
    """
    was_enabled = gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if pause and was_enabled:
            gc.enable()


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C back while the command's modules load, then let it through as KeyboardInterrupt.

    An import that a KeyboardInterrupt cuts short can fail as something else (numpy turns it into
    an ImportError), which would be reported as a bug instead of exit 130.
    """
    held = hasattr(signal, "pthread_sigmask") and signal.SIGINT not in signal.pthread_sigmask(
        signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if held:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def main(argv: list[str] | None = None) -> int:
    """Run `npkit` with `argv` (default: the process's arguments) and return the exit code."""
    command = "npkit"
    try:
        # Paused from the start: importing the command's modules builds many objects too.
        with _collector_paused(_command_in(sys.argv[1:] if argv is None else argv) != "lab"):
            with _interrupts_held():
                parser = build_parser(argv)
            args = parser.parse_args(argv)
            command = f"npkit {args.command}"
            code: int = args.run(args)
            sys.stdout.flush()  # a failed write (a full disk) shows here, not as noise at exit
        return code
    except KeyboardInterrupt:
        return _say(_("npkit: interrupted"), EXIT_INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (`npkit matrix ... | head`): stop quietly, and keep Python from
        # complaining when it flushes stdout at exit.
        _silence_stdout()
        return 0
    except InputError as e:
        return _report_input(command, e)
    except NpkitError as e:
        if e.exit_code == EXIT_INTERNAL:
            return _internal(e)
        return _say(_("{command}: {error}").format(command=command, error=e), e.exit_code)
    except OSError as e:
        if e.filename is None and e.errno in _WRITE_FAILURES:  # inputs are read (and refused) by name
            _silence_stdout()
            return _say(_("{command}: cannot write the output: {reason}").format(command=command, reason=e.strerror),
                        EXIT_ENVIRONMENT)
        return _internal(e)
    except Exception as e:  # noqa: BLE001 - the last line of defence: never a bare traceback
        return _internal(e)


def _report_input(command: str, e: InputError) -> int:
    if not e.diagnostics:
        return _say(_("{command}: {error}").format(command=command, error=e), e.exit_code)
    lines = [str(d) for d in e.diagnostics]
    n = len(e.errors)
    lines.append(ngettext("npkit: {n} error in the input; nothing was evaluated",
                          "npkit: {n} errors in the input; nothing was evaluated", n).format(n=n))
    return _say("\n".join(lines), e.exit_code)


def _internal(e: BaseException) -> int:
    if os.environ.get("NPKIT_DEBUG"):
        import traceback  # here: start-up stays short, so Ctrl-C finds npkit's handler sooner

        traceback.print_exception(e)
    return _say(_("npkit: internal error: {kind}: {error}\n"
                  "This is a bug in npkit; run again with NPKIT_DEBUG=1 for details.").format(
                      kind=type(e).__name__, error=e), EXIT_INTERNAL)


def _say(message: str, code: int) -> int:
    """Print `message` on stderr and return `code`; a second Ctrl-C while printing changes neither."""
    try:
        print(message, file=sys.stderr)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except OSError:  # stderr is gone too: the exit code is all that is left
        pass
    return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's flush at exit has nothing to complain about."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a real file (tests capture it)
        pass


def entry() -> None:
    """The `npkit` command itself (console script, `python -m npkit.cli.main`): `main`, then exit.

    Once a command has written its output, all that is left is for CPython to free what it built
    (the loaded cluster, the engine's matrices, every module): ~30 ms of CPU for 1,000 pods, as
    long as writing the list takes. So the process ends there (os._exit) once the output is
    flushed, unless something is still meant to run at exit: `lab` (its clean-ups), an atexit
    handler (coverage measuring a test run, logging), or another thread.
    """
    code = main()
    if _ends_at_once():
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # the reader went away: nothing more can be said
                pass
        os._exit(code)
    sys.exit(code)


def _ends_at_once() -> bool:
    import atexit

    threading = sys.modules.get("threading")
    alone = threading is None or threading.active_count() == 1
    return _command_in(sys.argv[1:]) not in (None, "lab") and atexit._ncallbacks() == 0 and alone


if __name__ == "__main__":
    entry()
