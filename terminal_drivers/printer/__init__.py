"""ESC/POS ticket printer: pure byte builder, status decoding, column maths, layouts and the driver."""
