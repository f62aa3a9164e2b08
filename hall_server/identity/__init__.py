"""Proof of presence: the SMS adapters for one-time codes and the e-ID token format and keys."""
