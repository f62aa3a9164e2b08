"""Touch-screen self-service kiosk of a government service centre."""

__version__ = "0.1.0"
