"""The `npkit` command. Exit codes: 0 success, 1 internal error, 2 bad input or usage."""

from __future__ import annotations

import importlib
import os
import signal
import sys

TYPE_CHECKING = False  # see npkit/__init__.py: nothing but modules the interpreter has loaded already
if TYPE_CHECKING:
    import argparse

# Each module in commands/ registers one subcommand.
COMMANDS = ("check", "matrix", "explain", "lint", "diff", "lab")


def build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="npkit",
        description="Evaluate Kubernetes NetworkPolicy, Calico policy and ClusterNetworkPolicy offline, "
                    "and explain every verdict.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"npkit.cli.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Everything past the standard library is imported in here, so a Ctrl-C at any moment of
    # start-up is caught below (exit 130, no traceback).
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("npkit: interrupted", file=sys.stderr)
        return 130


def _main(argv: list[str] | None) -> int:
    # Ctrl-C is held back while modules load (numpy turns an interrupted import into an ImportError)
    # and raised as KeyboardInterrupt as soon as they have.
    held = hasattr(signal, "pthread_sigmask") and signal.SIGINT not in signal.pthread_sigmask(
        signal.SIG_BLOCK, {signal.SIGINT})
    try:
        from ..model import InputError
        from .common import UsageError

        parser = build_parser()
    finally:
        if held:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except InputError as e:
        for d in e.diagnostics:
            print(str(d), file=sys.stderr)
        n = len(e.errors)
        print(f"npkit: {n} error{'s' if n != 1 else ''} in the input; nothing was evaluated", file=sys.stderr)
        return 2
    except UsageError as e:
        print(f"npkit {args.command}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("npkit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # noqa: BLE001 - the last line of defence: never a bare traceback
        if os.environ.get("NPKIT_DEBUG"):
            import traceback

            traceback.print_exc()
        print(f"npkit: internal error: {type(e).__name__}: {e}\n"
              "This is a bug in npkit; run again with NPKIT_DEBUG=1 for details.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
