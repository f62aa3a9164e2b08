"""A label that wraps to its width and uses the theme's body size."""

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.label import Label


class KioskLabel(Label):
    role = StringProperty("body")  # small | body | large | title | huge
    collapsed = BooleanProperty(False)  # takes no room and is not drawn (an empty message line)
