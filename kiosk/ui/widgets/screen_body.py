"""The area of a screen below the top bar; screens put their content in one."""

from kivy.uix.boxlayout import BoxLayout


class ScreenBody(BoxLayout):
    pass
