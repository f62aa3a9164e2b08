"""Handwritten name characters: the zinnia binding and the kiosk's recognition on top of it."""
