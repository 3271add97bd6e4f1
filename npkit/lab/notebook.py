"""The lab notebooks' front end: where a lab's words go in JupyterLab, and the learner's explicit
opt-in to running labs on this machine.

    from npkit.lab.notebook import local_opt_in, open_lab
    opt_in = local_opt_in()      # a button that says what it creates; nothing runs until it is clicked
    lab = open_lab("lab-01", SCENARIOS / "lab-01-policy-test.yaml", local=opt_in)   # run after clicking

Without the click (or NPKIT_LAB_BACKEND=local, as CI sets) the lab uses a running kind lab
cluster, or predicts and says how to opt in. Like the CLI, this module is an application layer:
it prints the session's messages into the cell's output, draws progress bars, and cleans up a lab
still open when the kernel exits. The library beneath it prints nothing and registers nothing.
"""

from __future__ import annotations

import atexit
import logging
import os
import weakref
from html import escape as _escape
from typing import Any

from ..i18n import N_, messages
from .backend import LabError
from .backends.local.preflight import local_requirements
from .progress import default_progress, display
from .select import ENV_VAR, LOCAL_CHANGES
from .session import LabSession

_ = messages("npkit-tools").gettext


def escape(text: str) -> str:
    """Text for the HTML label (quotes stay as they are: the label is element content)."""
    return _escape(text, quote=False)


log = logging.getLogger("npkit.lab")
# The button and its explanation (N_: translated when the widget is drawn).
OPT_IN_LABEL = N_("Run this lab on this machine")
OPT_IN_TEXT = N_("The local backend creates {changes}. Until you click, the lab predicts and observes nothing. "
                 "Everything it creates is removed when the lab ends.")


class LocalOptIn:
    """The learner's explicit opt-in to the local backend: a button in the notebook, or `grant()`."""

    def __init__(self) -> None:
        self.granted = False
        self._label: Any = None
        self._button: Any = None

    def grant(self) -> None:
        """Opt in (what the button does)."""
        self.granted = True
        if self._button is not None:
            self._button.disabled = True
            self._button.description = _("Opted in")
            self._label.value = escape(_("Opted in: now run the next cell (again) to start the lab on this machine. "
                                         "It creates {changes}.").format(changes=_(LOCAL_CHANGES)))

    def __bool__(self) -> bool:
        return self.granted

    def problems(self) -> list[str]:
        """Why the local backend cannot run here (found by looking only); empty if it can."""
        return local_requirements()

    def widget(self) -> Any:
        """The button and what it will create (ipywidgets)."""
        import ipywidgets as widgets

        self._button = widgets.Button(description=_(OPT_IN_LABEL), button_style="warning", icon="play",
                                      layout=widgets.Layout(width="auto"))
        self._label = widgets.HTML(escape(_(OPT_IN_TEXT).format(changes=_(LOCAL_CHANGES))))
        forced = os.environ.get(ENV_VAR)
        problems = self.problems()
        if forced:
            self._button.disabled = True
            self._label.value = escape(_("{variable}={value} is set: it decides where labs run; the button is not "
                                         "needed.").format(variable=ENV_VAR, value=forced))
        elif problems:
            self._button.disabled = True
            self._label.value = escape(_("The local backend cannot run here: {problem}. The lab predicts "
                                         "instead.").format(problem=problems[0]))
        self._button.on_click(lambda _: self.grant())
        if self.granted:
            self.grant()
        return widgets.VBox([self._button, self._label])

    def _ipython_display_(self) -> None:
        try:
            display(self.widget())
        except ImportError:  # no ipywidgets: say how to opt in by hand
            display(repr(self))

    def __repr__(self) -> str:
        if self.granted:
            return _("Local backend ({changes}): opted in").format(changes=_(LOCAL_CHANGES))
        return _("Local backend ({changes}): not opted in: call .grant() to opt in").format(changes=_(LOCAL_CHANGES))


def local_opt_in() -> LocalOptIn:
    """A fresh opt-in (not granted); shown as a button when it is a cell's last expression."""
    return LocalOptIn()


def _show(message: str) -> None:
    print(message)  # the cell's output: this front end decides where words go


def _close_at_exit(ref: weakref.ref[LabSession]) -> None:
    session = ref()
    if session is None or not session.dirty:
        return
    try:
        session.teardown()
    except (LabError, OSError) as e:  # the kernel is going away: log, and let the next run clean up
        log.warning(_("lab {lab_id}: clean-up at kernel exit failed ({reason}); run `npkit lab clean --lab-id "
                      "{lab_id}`").format(lab_id=session.lab_id, reason=e))


def open_lab(lab_id: str, scenario: Any = None, *, local: LocalOptIn | bool = False, needs: str | None = None,
             **options: Any) -> LabSession:
    """A lab session for a notebook: opened (backend chosen, banner shown), with a progress bar and
    clean-up when the kernel exits. `local`: the learner's opt-in to the local backend."""
    session = LabSession(lab_id, scenario, allow_local=bool(local), progress=default_progress(),
                         on_message=_show, needs=needs, **options)
    session.open()
    atexit.register(_close_at_exit, weakref.ref(session))
    return session
