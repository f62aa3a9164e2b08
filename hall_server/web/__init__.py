"""The hall's web pages: static pages with a shared look and API module (served by ``pages``) and the
server-rendered ticket-tracking page for citizens' phones (``tracking``)."""
