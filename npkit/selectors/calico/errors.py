"""The one exception the Calico selector parser raises."""

from __future__ import annotations

# Single-character stand-ins keep the caret aligned when the text holds a line break.
_VISIBLE = str.maketrans({"\n": "\u21b5", "\r": "\u240d"})


class SelectorSyntaxError(ValueError):
    """A Calico selector that Calico would reject; `column` is 1-based, in characters.

    >>> err = SelectorSyntaxError("use == (two equals signs) to compare", 5, "app = 'web'")
    >>> print(err)
    use == (two equals signs) to compare
      app = 'web'
          ^
    """

    def __init__(self, message: str, column: int, text: str = ""):
        super().__init__(message, column, text)
        self.message = message
        self.column = column
        self.text = text

    def __str__(self) -> str:
        shown = self.text.translate(_VISIBLE)
        # Copy tabs from the text so the caret lines up however the terminal expands them.
        pad = "".join("\t" if c == "\t" else " " for c in shown[: self.column - 1])
        return f"{self.message}\n  {shown}\n  {pad}^"
