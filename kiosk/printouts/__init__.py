"""What a citizen takes from the kiosk printer: queue ticket, booking slip, records sheets, plain lines."""
