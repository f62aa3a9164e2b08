"""Overlays above any screen: the idle warning with its countdown, and "out of service"."""

from kivy.properties import NumericProperty, StringProperty
from kivy.uix.modalview import ModalView


class IdleWarning(ModalView):
    """"Are you still there?" with a countdown and a big "more time" button."""

    seconds_left = NumericProperty(20)

    __events__ = ("on_more_time",)

    def on_more_time(self) -> None:
        pass


class OutOfService(ModalView):
    """A plain message for the citizen when something failed; staff details go to the log only."""

    code = StringProperty("")

    __events__ = ("on_restart",)

    def on_restart(self) -> None:
        pass
