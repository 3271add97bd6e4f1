"""argparse in the user's language: its headings, its usage prefix and its error messages.

argparse's own words come from Python's gettext domain `argparse`, which has no Chinese; changing
that would change process-wide state (gettext's or argparse's globals). Instead each npkit parser
gets a formatter that asks npkit's catalog for the headings, and an `error` that recognises
argparse's English message by its template (below, in argparse's own words) and says it again
from npkit's catalog. A message no template matches (a Python release that words it differently)
is shown as argparse wrote it.
"""

from __future__ import annotations

import re
import sys
from functools import cache

from ..i18n import N_, messages, wrap

TYPE_CHECKING = False  # not typing's: the CLI starts with this module, so it stays small
if TYPE_CHECKING:
    import argparse
    from typing import Any, NoReturn

_tools = messages("npkit-tools")
_, ngettext = _tools.gettext, _tools.ngettext

# argparse's error messages (Python 3.11's argparse.py), with named placeholders where argparse puts a value.
# "argument X: …" wraps the ones about one argument (ArgumentError); the others stand alone.
ARGUMENT_ERROR = N_("argument {argument}: {message}")
ARGPARSE_MESSAGES = (
    N_("the following arguments are required: {arguments}"),
    N_("one of the arguments {arguments} is required"),
    N_("unrecognized arguments: {arguments}"),
    N_("invalid choice: {value} (choose from {choices})"),
    N_("invalid {type} value: {value}"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("not allowed with argument {argument}"),
    N_("ignored explicit argument {value}"),
    N_("ambiguous option: {option} could match {matches}"),
    N_("unexpected option string: {option}"),
    N_("can't open '{filename}': {error}"),
)
_CHINESE_HEADING = re.compile(r"(?m)^(\s*[^\x00-\x7f][^\n]*):$")  # "位置参数:" → "位置参数："
# ngettext("expected %s argument", "expected %s arguments", n): nargs=N with too few values.
_EXPECTED_N = re.compile(r"expected (?P<n>\d+) arguments?")


@cache
def _pattern(template: str) -> re.Pattern[str]:
    """The English message `template` as a regular expression whose groups are its placeholders."""
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)) + "$",
                      re.S)


def _said_again(message: str) -> str:
    """One argparse message (without "argument X: ") in the current language, or unchanged."""
    m = _EXPECTED_N.fullmatch(message)
    if m:
        n = int(m.group("n"))
        return ngettext("expected {n} argument", "expected {n} arguments", n).format(n=n)
    for template in ARGPARSE_MESSAGES:
        m = _pattern(template).match(message)
        if m:
            return _(template).format(**m.groupdict())
    return message


def argparse_message(message: str) -> str:
    """argparse's error `message` in the current language (English: exactly argparse's).

    >>> from npkit.i18n import language
    >>> with language("zh_CN"):
    ...     argparse_message("argument --from: expected one argument")
    '参数 --from：需要一个参数值'
    """
    m = _pattern(ARGUMENT_ERROR).match(message)
    if m:
        return _(ARGUMENT_ERROR).format(argument=m.group("argument"), message=_said_again(m.group("message")))
    return _said_again(message)


def localized(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """`parser` with argparse's own words in the current language: its headings, usage prefix, help
    option and error messages (argparse's messages come from Python's catalog, which has no Chinese)."""
    import argparse

    class Formatter(parser.formatter_class):  # type: ignore[name-defined] # a subclass of the parser's own
        def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
            super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)

        # argparse wraps by characters; a Chinese character takes two columns, so wrap by columns.
        def _split_lines(self, text: str, width: int) -> list[str]:
            return super()._split_lines(text, width) if text.isascii() else wrap(text, width)

        def _fill_text(self, text: str, width: int, indent: str) -> str:
            if text.isascii() or isinstance(self, argparse.RawDescriptionHelpFormatter):
                return super()._fill_text(text, width, indent)
            return "\n".join(indent + line for line in wrap(text, width - len(indent)))

        def format_help(self) -> str:
            # argparse ends each section heading with an ASCII colon; a Chinese heading takes the full-width one.
            return _CHINESE_HEADING.sub(r"\1：", super().format_help())

    def error(message: str) -> NoReturn:
        parser.print_usage(sys.stderr)
        parser.exit(2, _("{prog}: error: {message}").format(prog=parser.prog, message=argparse_message(message))
                    + "\n")

    parser.formatter_class = Formatter
    parser.error = error  # type: ignore[method-assign] # this parser's words only; argparse's class is untouched
    parser._positionals.title = _("positional arguments")
    parser._optionals.title = _("options")
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = _("show this help message and exit")
    return parser
