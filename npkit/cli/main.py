"""The `npkit` command: parse the command line, run a subcommand, turn every outcome into an exit code.

The exit codes, and which exceptions lead to them, are drawn in npkit/errors.py; `npkit --help` lists
them. Whatever happens, the user sees a message and never a traceback (unless NPKIT_DEBUG is set).
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys

from ..errors import EXIT_CODES_HELP, EXIT_ENVIRONMENT, EXIT_INTERNAL, EXIT_INTERRUPTED, InputError, NpkitError

# What writing the output can fail with: the disk or the quota is full, the file too large, the device gone.
_WRITE_FAILURES = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})

# Each module in commands/ registers one subcommand.
COMMANDS = ("check", "matrix", "explain", "lint", "diff", "lab")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="npkit",
        description="Evaluate Kubernetes NetworkPolicy, Calico policy and ClusterNetworkPolicy offline, "
                    "and explain every verdict.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"npkit.cli.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run `npkit` with `argv` (default: the process's arguments) and return the exit code."""
    command = "npkit"
    try:
        args = build_parser().parse_args(argv)
        command = f"npkit {args.command}"
        code: int = args.run(args)
        sys.stdout.flush()  # a failed write (a full disk) shows here, not as noise at exit
        return code
    except KeyboardInterrupt:
        return _say("npkit: interrupted", EXIT_INTERRUPTED)
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
        return _say(f"{command}: {e}", e.exit_code)
    except OSError as e:
        if e.filename is None and e.errno in _WRITE_FAILURES:  # inputs are read (and refused) by name
            _silence_stdout()
            return _say(f"{command}: cannot write the output: {e.strerror}", EXIT_ENVIRONMENT)
        return _internal(e)
    except Exception as e:  # noqa: BLE001 - the last line of defence: never a bare traceback
        return _internal(e)


def _report_input(command: str, e: InputError) -> int:
    if not e.diagnostics:
        return _say(f"{command}: {e}", e.exit_code)
    lines = [str(d) for d in e.diagnostics]
    n = len(e.errors)
    lines.append(f"npkit: {n} error{'s' if n != 1 else ''} in the input; nothing was evaluated")
    return _say("\n".join(lines), e.exit_code)


def _internal(e: BaseException) -> int:
    if os.environ.get("NPKIT_DEBUG"):
        import traceback  # here: start-up stays short, so Ctrl-C finds npkit's handler sooner

        traceback.print_exception(e)
    return _say(f"npkit: internal error: {type(e).__name__}: {e}\n"
                "This is a bug in npkit; run again with NPKIT_DEBUG=1 for details.", EXIT_INTERNAL)


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


if __name__ == "__main__":
    sys.exit(main())
