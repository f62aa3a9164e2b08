"""Citizen ID numbers (GB 11643) and the masking of personal data in logs.

A leaf package shared by the card reader driver, the kiosk and the hall server: it imports none
of them, so the hall never has to import the driver package to validate a number.
"""
