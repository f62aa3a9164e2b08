"""Server-rendered pages for citizens' phones: the ticket-tracking page behind the printed QR code."""
