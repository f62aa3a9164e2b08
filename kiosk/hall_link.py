"""The kiosk's link to the hall: the client (made on first use), the heartbeat, the hall's own date,
time and names."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import kiosk
from kiosk.config import KioskConfig
from kiosk.hall_time import hall_now

if TYPE_CHECKING:
    # The contract's models load after the first frame (the site's names are asked for then).
    from kiosk.hall_client import HallClient
    from kiosk.hall_site import HallSite

log = logging.getLogger(__name__)


class HallLink:
    """``client`` talks to the hall; ``start_heartbeat`` reports this kiosk's health every few
    seconds and learns the hall's date (``today``); ``on_state(online)`` hears whether it answers."""

    def __init__(self, config: KioskConfig, on_state: Callable[[bool], None],
                 client: HallClient | None = None) -> None:
        self._config = config
        self._on_state = on_state
        self._client = client
        self.heartbeat: Any = None
        self.today: date | None = None
        self.site: HallSite | None = None

    @property
    def client(self) -> HallClient:
        """The hall client, made on first use (importing requests is kept off the start path)."""
        if self._client is None:
            from kiosk.hall_client import HallClient

            cfg = self._config.hall
            # Short, few retries: the kiosk shows "hall unreachable" quickly rather than hanging.
            self._client = HallClient(cfg.addresses, cfg.token, timeout=cfg.timeout_s, retries=1,
                                      ca_file=cfg.ca_file)
        return self._client

    def start_heartbeat(
        self,
        run_task: Callable[..., Any],
        status: Callable[[], tuple[float, dict[str, Any], str | None]],
        on_new_day: Callable[[], None],
    ) -> None:
        """Beat with ``status()`` (uptime, device states, screen shown); ``on_new_day()`` when the
        hall's date changes."""
        from kiosk.heartbeat import Heartbeat

        async def send() -> None:
            uptime, devices, screen = status()
            client = self.client
            reply = await client.call(client.heartbeat, kiosk.__version__, uptime, devices, screen)
            # The hall's own date (its clock may be set for a demo or a test), for "today's hours".
            if reply.server_time is not None:
                today = reply.server_time.date()
                if today != self.today:
                    self.today = today
                    on_new_day()

        timeouts = self._config.timeouts
        self.heartbeat = Heartbeat(
            send=send, interval_s=timeouts.heartbeat_s, retry_s=timeouts.retry_s, on_state=self._on_state
        )
        run_task(self.heartbeat.run())

    def fetch_site(self, run_task: Callable[..., Any], on_site: Callable[[HallSite], None],
                   on_error: Callable[[BaseException], None]) -> None:
        """Learn the hall's names and time zone (``on_site(site)`` on the UI once known)."""
        from kiosk.hall_site import fetch_site

        def got(site: HallSite) -> None:
            self.site = site
            on_site(site)

        client = self.client
        run_task(client.call(fetch_site, client, self._config.hall.site), on_done=got, on_error=on_error)

    def now(self) -> datetime:
        """The hall's time now, as far as this kiosk knows it (before the first heartbeat: the
        site's zone, or this machine's)."""
        client = self._client
        offset = client.clock_offset if client is not None else None
        learned = client.hall_tz if client is not None else None
        site_zone = self.site.zone if self.site is not None else None
        return hall_now(offset or timedelta(0), learned, site_zone)

    def unreachable(self) -> None:
        """A flow found the hall unreachable: say so now and check again soon."""
        self._on_state(False)
        if self.heartbeat is not None:
            self.heartbeat.kick()

    def stop(self) -> None:
        if self.heartbeat is not None:
            self.heartbeat.stop()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
