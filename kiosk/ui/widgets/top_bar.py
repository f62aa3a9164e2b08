"""The bar on every screen: title, language switch, elderly toggle, back to start."""

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout


class TopBar(BoxLayout):
    title = StringProperty("")
    show_home = BooleanProperty(True)
    # On the home screen the button ends the visit, and says so (结束) rather than 返回首页.
    ends_visit = BooleanProperty(False)
