"""Drivers for the kiosk's peripherals, and simulators that speak their byte protocols."""
