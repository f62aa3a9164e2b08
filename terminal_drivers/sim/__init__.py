"""Simulated peripherals: byte engines, the runner serving them on ptys or TCP, and their tools."""
