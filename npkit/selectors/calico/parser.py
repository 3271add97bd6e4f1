"""Parse a Calico selector into a `Selector` tree, accepting exactly what Calico accepts.

Grammar (libcalico-go `selector/parser`), lowest precedence first::

    selector := "" | or_expr
    or_expr  := and_expr ("||" and_expr)*
    and_expr := unary ("&&" unary)*
    unary    := "!"* operation            # an even number of "!" cancels out
    operation := has(L) | all() | global() | L op STRING | L (in|not in) "{" [STRING ("," STRING)* [","]] "}"
               | "(" or_expr ")"

>>> str(parse("!!has(a) && b in {'y', 'x',} || c != 'z'"))
'((has(a) && b in {"x", "y"}) || c != "z")'
>>> parse("   ") == parse("all()")
True
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from ...i18n import messages
from .ast import (
    All,
    And,
    Contains,
    EndsWith,
    Eq,
    Global,
    Has,
    In,
    Ne,
    Not,
    NotIn,
    Or,
    Selector,
    StartsWith,
)
from .errors import SelectorSyntaxError
from .tokenizer import Kind, Token, operator_words, tokenize

_ = messages("npkit").gettext

_VALUE_OPS: dict[Kind, Callable[[str, str], Selector]] = {
    Kind.EQ: Eq, Kind.NE: Ne, Kind.CONTAINS: Contains, Kind.STARTS_WITH: StartsWith, Kind.ENDS_WITH: EndsWith}
_SET_OPS: dict[Kind, Callable[[str, tuple[str, ...]], Selector]] = {Kind.IN: In, Kind.NOT_IN: NotIn}
_STARTS_TERM = {Kind.LABEL, Kind.HAS, Kind.ALL, Kind.GLOBAL, Kind.NOT, Kind.LPAREN, Kind.STRING}


def parse(text: str) -> Selector:
    """Parse a Calico selector; an empty (or all-blank) string is `all()`.

    Raises SelectorSyntaxError with a 1-based column and a plain-language message.

    >>> parse("app = 'web'")
    Traceback (most recent call last):
    ...
    npkit.errors.SelectorSyntaxError: use == (two equals signs) to compare
      app = 'web'
          ^
    """
    return _parse_cached(text)


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Selector:
    # Trees are immutable, so every policy that repeats a selector can share one parse.
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    @property
    def kind(self) -> Kind:
        """The current token's kind (a fresh read: mypy would keep a narrowed `self.tok.kind`)."""
        return self.tokens[self.i].kind

    def take(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind is not Kind.EOF:
            self.i += 1
        return tok

    def error(self, message: str, tok: Token | None = None) -> SelectorSyntaxError:
        return SelectorSyntaxError(message, (tok or self.tok).column, self.text)

    def parse(self) -> Selector:
        if self.tok.kind is Kind.EOF:
            return All()
        sel = self.or_expr()
        tok = self.tok
        if tok.kind is Kind.RPAREN:
            raise self.error(_("this ')' has no matching '('"))
        if tok.kind in _STARTS_TERM:
            raise self.error(_("join terms with && (and) or || (or)"))
        if tok.kind is not Kind.EOF:
            raise self.error(_("unexpected {token} after a complete selector").format(token=repr(tok.source)))
        return sel

    def or_expr(self) -> Selector:
        operands = [self.and_expr()]
        while self.tok.kind is Kind.OR:
            self.take()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_expr(self) -> Selector:
        operands = [self.unary()]
        while self.tok.kind is Kind.AND:
            self.take()
            operands.append(self.unary())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def unary(self) -> Selector:
        negated = False
        while self.tok.kind is Kind.NOT:  # Calico folds any run of "!" into one flag
            self.take()
            negated = not negated
        sel = self.operation()
        return Not(sel) if negated else sel

    def operation(self) -> Selector:
        tok = self.take()
        if tok.kind is Kind.HAS:
            return Has(tok.value)
        if tok.kind is Kind.ALL:
            return All()
        if tok.kind is Kind.GLOBAL:
            return Global()
        if tok.kind is Kind.LABEL:
            return self.comparison(tok)
        if tok.kind is Kind.LPAREN:
            inner = self.or_expr()
            if self.tok.kind is not Kind.RPAREN:
                if self.tok.kind is Kind.EOF:
                    message = _("missing ')' to close the '(' at column {column}")
                elif self.tok.kind in _STARTS_TERM:
                    message = _("join terms with && (and) or || (or), or add ')' to close the '(' at column {column}")
                else:
                    message = _("expected ')' to close the '(' at column {column}")
                raise self.error(message.format(column=tok.column))
            self.take()
            return inner
        if tok.kind is Kind.EOF:
            if self.i:
                message = _("the selector ends too early: expected a term such as has(app) after {token}").format(
                    token=repr(self.tokens[self.i - 1].source))
            else:
                message = _("the selector ends too early: expected a term such as has(app)")
            raise self.error(message, tok)
        if tok.kind is Kind.STRING:
            raise self.error(_("a term starts with a label name, not a quoted value: write app == {value}").format(
                value=tok.source), tok)
        raise self.error(_("unexpected {token}: expected a label name, has(...), all(), global(), '!' or '('").format(
            token=repr(tok.source)), tok)

    def comparison(self, label: Token) -> Selector:
        key = label.value
        op = self.take()
        if op.kind in _VALUE_OPS:
            value = self.take()
            if value.kind is Kind.LABEL:
                raise self.error(_("values must be quoted: {example}").format(
                    example=f"{key} {op.source} '{value.value}'"), value)
            if value.kind is not Kind.STRING:
                raise self.value_error(value, f"{key} {op.source} 'value'", op.source)
            return _VALUE_OPS[op.kind](key, value.value)
        if op.kind in _SET_OPS:
            return _SET_OPS[op.kind](key, self.set_literal(key, op))
        if op.kind is Kind.LPAREN and key in ("has", "all", "global"):
            message = _("remove the space: write {key}( with no space before '('").format(key=key)
            raise SelectorSyntaxError(message, label.column + len(label.source), self.text)
        if op.kind is Kind.STRING:
            raise self.error(_("put an operator between the label and its value: {example}").format(
                example=f"{key} == {op.source}"), op)
        if op.kind in (Kind.EOF, Kind.RPAREN, Kind.AND, Kind.OR):
            raise self.error(_("the label {label} needs an operator and a quoted value, e.g. {key} == 'value'; to "
                               "test that it exists, write has({key})").format(label=repr(key), key=key), op)
        raise self.error(_("expected an operator after the label {label}: {operators}").format(
            label=repr(key), operators=operator_words()), op)

    def set_literal(self, key: str, op: Token) -> tuple[str, ...]:
        example = f"{key} {op.source} {{'a', 'b'}}"
        brace = self.take()
        if brace.kind is not Kind.LBRACE:
            if brace.kind is Kind.LPAREN:
                raise self.error(_("a set of values uses braces, not parentheses: {example}").format(example=example),
                                 brace)
            raise self.error(_("expected '{{' to start the set of values, e.g. {example}").format(example=example),
                             brace)
        values: list[str] = []
        while self.tok.kind is Kind.STRING:  # a trailing comma is allowed, as in Calico
            values.append(self.take().value)
            if self.kind is not Kind.COMMA:
                break
            self.take()
        tok = self.tok
        if tok.kind is Kind.RBRACE:
            self.take()
            return tuple(values)
        if tok.kind is Kind.EOF:
            raise self.error(_("the set of values is never closed: add '}}', e.g. {example}").format(example=example))
        if tok.kind is Kind.STRING:
            raise self.error(_("separate the values with commas: {example}").format(example=example))
        if tok.kind is Kind.LABEL:
            raise self.error(_("values must be quoted: write '{value}', e.g. {example}").format(value=tok.value,
                                                                                                example=example))
        raise self.value_error(tok, example, None)

    def value_error(self, tok: Token, example: str, after: str | None) -> SelectorSyntaxError:
        """A value was expected `after` an operator (None: in a set of values)."""
        if after is None:
            message = (_("expected a quoted value in the set, e.g. {example}") if tok.kind is Kind.EOF else
                       _("expected a quoted value in the set, e.g. {example}; found {found}"))
        else:
            message = (_("expected a quoted value after {operator}, e.g. {example}") if tok.kind is Kind.EOF else
                       _("expected a quoted value after {operator}, e.g. {example}; found {found}"))
        return self.error(message.format(operator=after, example=example, found=repr(tok.source)), tok)
