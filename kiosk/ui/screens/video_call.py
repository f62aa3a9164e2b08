"""Video call screen: consent to camera and microphone → place in line → staff video large, self
view small, a permanent "staff connected" banner → pushed guide / QR / form → photo request with
allow / deny → end and review. The call itself is ``kiosk.flows.assist.AssistCall``.
"""

import logging
import time
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.input.motionevent import MotionEvent
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.flows.assist import AssistCall, AssistView, default_media
from kiosk.i18n import API_LANGUAGE, _
from kiosk.ui.screens.base import KioskScreen

if TYPE_CHECKING:
    from remote_assist.adaptive import DrawPacer

log = logging.getLogger(__name__)

VIDEO_FPS = 15  # the picture on screen; the call itself runs at the camera's rate


def _end_text(view: AssistView) -> str:
    if view.state == "unavailable":
        if view.end_reason == "wait_limit":
            text = _("Sorry, every staff member is still busy.")
        else:
            text = _("No staff member is available for video help right now.")
        if view.next_open:
            text += "\n" + _("Video help is staffed again from {when}.").format(
                when=view.next_open[:16].replace("T", " ")
            )
        return text + "\n" + _("You can book an appointment at a counter instead.")
    if view.state == "failed":
        return _("Video help cannot be reached right now. Please try again later.")
    reasons = {
        "staff_hangup": _("The staff member ended the call."),
        "kiosk_hangup": _("You ended the call."),
        "staff_left": _("The call was cut off."),
        "staff_vanished": _("The call was cut off."),
        "signaling_lost": _("The connection to the service centre was lost."),
        "kiosk_no_media": _("The picture and sound were lost, so the call was ended."),
        "kiosk_error": _("The connection for the picture and sound failed, so the call was ended."),
        "no_media": _("The picture and sound were lost, so the call was ended."),
    }
    return (
        reasons.get(view.end_reason or "", _("The call has ended."))
        + "\n"
        + _("Thank you for using video help.")
    )


class CallPanel(BoxLayout):
    """A layer of the call screen; hidden, it is invisible and never takes a touch meant for another."""

    shown = BooleanProperty(True)

    def on_touch_down(self, touch: MotionEvent) -> bool:
        return super().on_touch_down(touch) if self.shown else False

    def on_touch_move(self, touch: MotionEvent) -> bool:
        return super().on_touch_move(touch) if self.shown else False

    def on_touch_up(self, touch: MotionEvent) -> bool:
        return super().on_touch_up(touch) if self.shown else False


class VideoCallScreen(KioskScreen):
    spoken_properties = ("title", "prompt", "state")
    state = StringProperty("consent")
    prompt = StringProperty("")
    banner_text = StringProperty("")
    position_text = StringProperty("")
    eta_text = StringProperty("")
    overlay_kind = StringProperty("")
    overlay_title = StringProperty("")
    overlay_text = StringProperty("")
    overlay_qr = StringProperty("")
    photo_purpose = StringProperty("")
    end_text = StringProperty("")
    chat_text = StringProperty("")
    muted = BooleanProperty(False)
    has_staff_video = BooleanProperty(False)
    # How often the pictures on screen are refreshed (each refresh redraws the window).
    video_fps = NumericProperty(VIDEO_FPS)

    def spoken_parts(self) -> list[str]:
        # In a call the kiosk's speaker carries the staff's voice and its microphone the citizen's:
        # guidance read aloud then would talk over both and go down the call.
        return [] if self.state == "in_call" else super().spoken_parts()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.call: AssistCall | None = None
        self.skill = "general"
        self._video_event: Any = None
        self._pacer: DrawPacer | None = None
        self._textures: dict[str, Texture] = {}
        # The frame each picture shows now: a tick with no newer frame redraws nothing.
        self._shown: dict[str, Any] = {}
        # Staff frames put on screen this call (the benchmark's drawn frame rate).
        self.staff_frames_drawn = 0
        self._guide_cache: dict[str, str] = {}

    # -- entering --

    def on_enter_params(self, **params: Any) -> None:
        super().on_enter_params(**params)
        self.skill = params.get("skill") or "general"
        self._stop_call()
        self.call = None
        self.state = "consent"
        self._clear()
        self.render()

    def start_call(self) -> None:
        from kiosk.printouts.lines import text_lines
        from terminal_drivers.printer.paper import PaperFormat

        app = self.app
        cfg = app.kiosk_config
        devices = app.devices
        paper = devices.paper if devices is not None else PaperFormat()
        # The media stack's one-off set-up runs beside the call's queueing (it is paid once).
        app.warm_media()
        self.call = AssistCall(
            cfg.hall.addresses,
            cfg.hall.token,
            media=default_media(f"{cfg.hall.site} kiosk"),
            printer=devices,
            layout=lambda lines: text_lines(lines, paper),
            devices=devices.snapshot if devices is not None else None,
            on_change=self._changed,
            ca_file=cfg.hall.ca_file,
        )
        self.state = "connecting"
        self.staff_frames_drawn = 0
        self.render()
        self._start_pictures()
        app.run_task(self.call.run(self.skill, API_LANGUAGE.get(app.lang, "zh-Hans")), on_done=self._changed)

    # -- touches --

    def hang_up(self) -> None:
        if self.call is not None:
            self.app.run_task(self.call.hang_up())

    def toggle_mute(self) -> None:
        if self.call is not None:
            self.call.set_muted(not self.muted)

    def close_overlay(self) -> None:
        if self.call is not None:
            self.call.close_overlay()

    def answer_photo(self, granted: bool) -> None:
        if self.call is not None:
            self.call.answer_photo(granted)

    def finish(self) -> None:
        subject = self.call.subject if self.call is not None and self.state == "ended" else None
        self.call = None
        if subject is not None:
            self.app.finish_transaction(subject)
        else:
            self.app.go("home")

    # -- the call's state on screen --

    def _changed(self, view: AssistView) -> None:
        self.state = view.state
        self.muted = view.muted
        if view.state in ("ended", "unavailable", "failed"):
            self._stop_video()
        self.render()

    def render(self) -> None:
        view = self.call.view if self.call is not None else AssistView()
        self.title = _("Video help")
        prompts = {
            "consent": _("Talk to a member of staff by video"),
            "connecting": _("Calling the service centre…"),
            "queued": _("Please wait, a staff member will answer soon"),
            "in_call": _("You are talking to the service centre"),
            "ended": _("The call has ended"),
            "unavailable": _("Video help is not available now"),
            "failed": _("Video help cannot be reached"),
        }
        self.prompt = prompts.get(self.state, "")
        name = view.agent_name or _("a staff member")
        self.banner_text = _("Staff connected: {name}. The staff member can see and hear you.").format(
            name=name
        )
        if view.position is not None:
            self.position_text = _("You are number {position} in line").format(position=view.position)
            minutes = max(1, round((view.eta_s or 0) / 60))
            self.eta_text = _("About {minutes} min").format(minutes=minutes)
        else:
            self.position_text = _("Connecting…")
            self.eta_text = ""
        self.photo_purpose = str(view.photo_request["purpose"]) if view.photo_request else ""
        # The staff member's latest written messages, over the picture.
        staff_lines = [line.text for line in view.chat if not line.mine]
        self.chat_text = "\n".join(staff_lines[-3:])
        self._render_overlay(view.overlay)
        self.end_text = _end_text(view) if self.state in ("ended", "unavailable", "failed") else ""

    def _render_overlay(self, overlay: dict[str, Any] | None) -> None:
        overlay = overlay or {}
        kind = str(overlay.get("type", ""))
        self.overlay_kind = kind
        self.overlay_qr = ""
        self.overlay_text = ""
        if kind == "show_qr":
            self.overlay_title = str(overlay.get("caption") or _("Scan this code with your phone"))
            self.overlay_qr = str(overlay["text"])
        elif kind == "show_form":
            self.overlay_title = str(overlay.get("title") or _("Form to fill in"))
            self.overlay_text = "\n\n".join(f"{f['label']}：________________" for f in overlay["fields"])
        elif kind == "show_guide":
            code = str(overlay["service"])
            self.overlay_title = _("Service guide")
            self.overlay_text = self._guide_cache.get(code, _("Loading the guide…"))
            if code not in self._guide_cache:
                self._load_guide(code)
        else:
            self.overlay_title = ""
        self._fill_overlay()

    def _fill_overlay(self) -> None:
        from kivy.uix.scrollview import ScrollView

        from kiosk.ui.widgets.labels import KioskLabel
        from kiosk.ui.widgets.qr import QrCode

        body = self.ids.overlay_body
        body.clear_widgets()
        if self.overlay_qr:
            # Set after construction: the widget's own __init__ resets what a data= argument drew.
            code = QrCode()
            body.add_widget(code)
            code.data = self.overlay_qr
        elif self.overlay_text:
            scroll = ScrollView(do_scroll_x=False)
            scroll.add_widget(KioskLabel(text=self.overlay_text))
            body.add_widget(scroll)

    def _load_guide(self, code: str) -> None:
        lang = self.app.lang

        def shown(service: Any) -> None:
            guide = service.guide
            lines = [service.name]
            if guide is not None:
                lines.append(_("Bring:"))
                lines += [f"· {m.name} {m.copies}".rstrip() for m in guide.materials]
                lines += [
                    _("Where: {where}").format(where=guide.where),
                    _("Time limit: {limit}").format(limit=guide.time_limit),
                ]
            self._guide_cache[code] = "\n".join(lines)
            self.render()

        def failed(exc: BaseException) -> None:
            self.app.background_request_failed(exc)
            self._guide_cache[code] = _("The guide cannot be shown right now.")
            self.render()

        self.app.run_task(self.app.hall.call(self.app.hall.service, code, lang), shown, failed)

    # -- pictures --

    def _start_pictures(self) -> None:
        from remote_assist.adaptive import DrawPacer

        self._pacer = DrawPacer(max(1, int(self.video_fps)))
        self._video_event = Clock.schedule_interval(self._tick, 1 / self._pacer.rate)

    def _tick(self, dt: float) -> None:
        # Fewer redraws when the kiosk's thread is short: the call's packets wait behind each one.
        rate = self._pacer.tick(time.monotonic(), dt) if self._pacer is not None else None
        if rate is not None and self._video_event is not None:
            log.info("video call pictures now redrawn %d times a second", rate)
            self._video_event.cancel()
            self._video_event = Clock.schedule_interval(self._tick, 1 / rate)
        call = self.call
        app = self.app
        if call is None or app is None:
            return
        # A citizen talking does not touch the screen: the call keeps the visit alive.
        app.idle.touch()
        if self.state != "in_call":
            return
        # Only the newest frame is ever drawn: the sinks keep no queue, so a slow screen shows
        # fewer pictures, never older ones.
        staff = call.peer.latest_staff_frame
        if staff is not None and self._show(staff, "staff_video", 960):
            self.has_staff_video = True
            self.staff_frames_drawn += 1
        media = call.peer.media
        own = media.latest_video_frame if media is not None else None
        if own is not None:
            self._show(own, "self_video", 320)

    def _show(self, frame: Any, target: str, max_width: int) -> bool:
        from remote_assist.media import frame_rgb

        if self._shown.get(target) is frame:
            return False
        self._shown[target] = frame
        width, height, data = frame_rgb(frame, max_width)
        texture = self._textures.get(target)
        if texture is None or tuple(texture.size) != (width, height):
            texture = Texture.create(size=(width, height), colorfmt="rgb")
            texture.flip_vertical()
            self._textures[target] = texture
        texture.blit_buffer(data, colorfmt="rgb", bufferfmt="ubyte")
        image = self.ids[target]
        image.texture = texture
        image.canvas.ask_update()
        return True

    def _stop_video(self) -> None:
        if self._video_event is not None:
            self._video_event.cancel()
            self._video_event = None
        self.has_staff_video = False
        for name in ("staff_video", "self_video"):
            self.ids[name].texture = None
        self._textures.clear()
        self._shown.clear()

    def _stop_call(self) -> None:
        self._stop_video()
        if self.call is not None and self.state in ("connecting", "queued", "in_call"):
            self.app.run_task(self.call.hang_up())

    def _clear(self) -> None:
        self.overlay_kind = self.overlay_title = self.overlay_text = self.overlay_qr = ""
        self.photo_purpose = self.end_text = self.chat_text = ""
        self.muted = False

    def on_language(self, lang: str) -> None:
        self.render()

    def reset_visit(self) -> None:
        super().reset_visit()
        self._stop_call()
        self.call = None
        self.state = "consent"
        self._clear()
        self._guide_cache.clear()
