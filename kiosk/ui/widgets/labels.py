"""A label that wraps to its width and uses the theme's body size."""

from kivy.properties import StringProperty
from kivy.uix.label import Label


class KioskLabel(Label):
    role = StringProperty("body")  # small | body | large | title | huge
