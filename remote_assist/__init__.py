"""Remote video assistance between smart-station kiosks and hall staff (the cloud hall)."""
