"""ESC/POS ticket printer: pure byte builder, status decoding, column maths, paper format, sheet
blocks, the technician's test page and the driver (what a citizen takes home is laid out in the kiosk)."""
