"""Split a Calico selector into tokens, accepting exactly what Calico's tokenizer accepts.

Rules (libcalico-go `selector/tokenizer`): only space and TAB are whitespace; strings are
single- or double-quoted with no escapes; `contains`, `in`, `not in`/`notin`, `starts with`,
`ends with` are operators only straight after a label and only at a word boundary; `has(`,
`all(`, `global(` must be written without a space before the parenthesis.

>>> [t.kind.name for t in tokenize("app in {'a'}")]
['LABEL', 'IN', 'LBRACE', 'STRING', 'RBRACE', 'EOF']
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, auto

from ...i18n import N_, messages, series
from .errors import SelectorSyntaxError

MAX_LABEL_LENGTH = 512
WHITESPACE = " \t"
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-")
OPERATORS = ("==", "!=", "in", "not in", "contains", "starts with", "ends with")
_ = messages("npkit").gettext


def operator_words() -> str:
    """"==, !=, in, not in, contains, starts with or ends with" (in the current language)."""
    return series(OPERATORS, "or")


class Kind(Enum):
    LABEL = auto()
    STRING = auto()
    LBRACE = auto()
    RBRACE = auto()
    COMMA = auto()
    EQ = auto()
    NE = auto()
    IN = auto()
    NOT = auto()
    NOT_IN = auto()
    CONTAINS = auto()
    STARTS_WITH = auto()
    ENDS_WITH = auto()
    ALL = auto()
    HAS = auto()
    GLOBAL = auto()
    LPAREN = auto()
    RPAREN = auto()
    AND = auto()
    OR = auto()
    EOF = auto()


@dataclass(frozen=True)
class Token:
    """One token: its kind, its value (label name or string contents), where it starts, its source."""

    kind: Kind
    value: str
    column: int  # 1-based
    source: str


_SINGLE = {"(": Kind.LPAREN, ")": Kind.RPAREN, "{": Kind.LBRACE, "}": Kind.RBRACE, ",": Kind.COMMA}
_DOUBLE = {  # the hints are marked here and translated when raised
    "=": (Kind.EQ, N_("use == (two equals signs) to compare")),
    "&": (Kind.AND, N_("use && (two ampersands) for 'and'")),
    "|": (Kind.OR, N_("use || (two vertical bars) for 'or'")),
}
# Tried in this order after a label, as Calico does ("not in" before "in").
_OPERATORS = (
    (("contains",), Kind.CONTAINS),
    (("starts", "with"), Kind.STARTS_WITH),
    (("ends", "with"), Kind.ENDS_WITH),
    (("not", "in"), Kind.NOT_IN),
    (("in",), Kind.IN),
)
_FUNCTIONS = (("has(", Kind.HAS), ("all(", Kind.ALL), ("global(", Kind.GLOBAL))


def tokenize(text: str) -> list[Token]:
    """The tokens of `text`, ending with an EOF token; raises SelectorSyntaxError."""
    return _Scanner(text).run()


class _Scanner:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.tokens: list[Token] = []

    def error(self, message: str, pos: int) -> SelectorSyntaxError:
        return SelectorSyntaxError(message, pos + 1, self.text)

    def skip_space(self, pos: int) -> int:
        while pos < len(self.text) and self.text[pos] in WHITESPACE:
            pos += 1
        return pos

    def identifier_end(self, pos: int) -> int:
        end = pos
        while end < len(self.text) and self.text[end] in _LABEL_CHARS:
            end += 1
        return end

    def emit(self, kind: Kind, start: int, end: int, value: str = "") -> None:
        self.tokens.append(Token(kind, value, start + 1, self.text[start:end]))
        self.pos = end

    def run(self) -> list[Token]:
        text = self.text
        while True:
            start = self.pos = self.skip_space(self.pos)
            if start == len(text):
                self.tokens.append(Token(Kind.EOF, "", start + 1, ""))
                return self.tokens
            c = text[start]
            if c in _SINGLE:
                self.emit(_SINGLE[c], start, start + 1)
            elif c in "\"'":
                close = text.find(c, start + 1)
                if close < 0:
                    raise self.error(_("this string is never closed: add a {quote} at its end").format(quote=c), start)
                self.emit(Kind.STRING, start, close + 1, text[start + 1 : close])
            elif c in _DOUBLE:
                kind, hint = _DOUBLE[c]
                if not text.startswith(c * 2, start):
                    raise self.error(_(hint), start)
                self.emit(kind, start, start + 2)
            elif c == "!":
                if text.startswith("!=", start):
                    self.emit(Kind.NE, start, start + 2)
                else:
                    self.emit(Kind.NOT, start, start + 1)
            elif c in "\r\n":
                raise self.error(_("a selector must be on one line: remove the line break (in YAML, quote it "
                                   "instead of using | or >)"), start)
            elif self.tokens and self.tokens[-1].kind is Kind.LABEL:
                self.operator(start)
            else:
                self.term(start)

    def operator(self, start: int) -> None:
        """After a label: one of the word operators, at a word boundary."""
        for words, kind in _OPERATORS:
            end = self.words_end(start, words)
            if end is not None:
                self.emit(kind, start, end)
                return
        label = self.tokens[-1].value
        word = self.text[start : self.identifier_end(start)]
        if word.lower() in {"contains", "in", "notin", "not", "starts", "ends"} and word != word.lower():
            raise self.error(_("operators are lower-case: write {word}").format(word=repr(word.lower())), start)
        if word in ("starts", "ends", "not"):
            follow = "in" if word == "not" else "with"
            raise self.error(_("write {word} followed by {follow}: {example}").format(
                word=repr(word), follow=repr(follow), example=f"{label} {word} {follow} ..."), start)
        if self.text[start] in "<>":
            raise self.error(_("Calico selectors cannot compare sizes: there is no < or >"), start)
        raise self.error(_("expected an operator after the label {label}: {operators}").format(
            label=repr(label), operators=operator_words()), start)

    def words_end(self, pos: int, words: tuple[str, ...]) -> int | None:
        """End of `words` at `pos` (spaces allowed between, even none: `notin`), or None."""
        for i, word in enumerate(words):
            if i:
                pos = self.skip_space(pos)
            if not self.text.startswith(word, pos):
                return None
            pos += len(word)
        # Only the last word needs a boundary: `in{` is fine, `inside` is a different word.
        following = self.text[pos : pos + 1]
        return None if following and following in _LABEL_CHARS else pos

    def term(self, start: int) -> None:
        """A label, or has(label) / all() / global()."""
        for opener, kind in _FUNCTIONS:
            if self.text.startswith(opener, start):
                self.function(start, opener, kind)
                return
        end = self.identifier_end(start)
        if end == start:
            c = self.text[start]
            if c in "<>":
                message = _("unexpected character {char}: Calico selectors cannot compare sizes: there is no < or >")
            else:
                message = _("unexpected character {char}: label names use only letters, digits and _ . / -")
            raise self.error(message.format(char=repr(c)), start)
        self.check_length(start, end)
        self.emit(Kind.LABEL, start, end, self.text[start:end])

    def function(self, start: int, opener: str, kind: Kind) -> None:
        name = opener[:-1]
        pos = self.skip_space(start + len(opener))
        label = ""
        if kind is Kind.HAS:
            end = self.identifier_end(pos)
            if end == pos:
                if self.text[pos : pos + 1] in ("'", '"'):
                    raise self.error(_("write the label name without quotes, e.g. has(app)"), pos)
                raise self.error(_("has() needs a label name between the parentheses, e.g. has(app)"), pos)
            self.check_length(pos, end)
            label = self.text[pos:end]
            pos = self.skip_space(end)
        if not self.text.startswith(")", pos):
            if kind is Kind.HAS:
                raise self.error(_("missing ')' to close {opened}").format(opened=f"has({label}"), pos)
            raise self.error(_("{name}() takes nothing between its parentheses: write {name}()").format(name=name),
                             pos)
        self.emit(kind, start, pos + 1, label)

    def check_length(self, start: int, end: int) -> None:
        if end - start > MAX_LABEL_LENGTH:
            raise self.error(_("this label name is {n} characters long; Calico allows at most {limit}").format(
                n=end - start, limit=MAX_LABEL_LENGTH), start)
