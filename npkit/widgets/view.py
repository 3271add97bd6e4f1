"""What every interactive widget shares: an ipywidgets view, and a stable text form.

The learner sees `widget`; notebooks under test, consoles and `repr()` see the state's
`text_report()`, which does not change with widget ids or layout.
"""

from __future__ import annotations


class View:
    """Base for widgets made of a plain-Python state (with `text_report()`) and an ipywidgets `widget`."""

    widget: object
    state: object

    def text_report(self) -> str:
        return self.state.text_report()

    def __repr__(self) -> str:
        return self.text_report()

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = self.text_report()
        return bundle
