#!/usr/bin/env bash
# Starts CUPS without systemd (when it is not running) and adds the A4 queue on the cups-pdf
# backend (when it is missing), so the kiosk's A4 printing has a real printer to talk to.
# Prints the folder where cups-pdf writes the calling user's PDFs as its last line.
# Usage: scripts/start-cups.sh [QUEUE]   (default kiosk-a4). Safe to run again.
set -euo pipefail
# cupsd runs as root and lpadmin needs it: ask sudo only when not root, so the same line works in a
# container where the user is root and there is no sudo.
if [ "$(id -u)" -ne 0 ]; then exec sudo "$0" "$@"; fi
queue=${1:-kiosk-a4}
export LC_ALL=C
# The PDFs land in the home of the user who printed: the one who called sudo, if anyone did.
user=${SUDO_USER:-$(id -un)}
if ! command -v cupsd >/dev/null 2>&1; then
    echo "start-cups: cupsd is not installed (scripts/install-system-deps.sh installs cups)" >&2
    exit 1
fi
# lpstat -r answers 0 either way: read its words (LC_ALL=C keeps them English).
running() { [[ "$(lpstat -r 2>/dev/null)" == *"scheduler is running"* ]]; }
if ! running; then
    mkdir -p /run/cups
    # -f keeps cupsd in the foreground of its own session: no systemd, no socket activation,
    # so its IdleExitTimeout never applies and it stays up until stopped by its pid.
    setsid cupsd -f </dev/null >/dev/null 2>&1 &
    echo $! > /run/cups/kiosk-cupsd.pid
    for _ in $(seq 1 50); do
        running && break
        sleep 0.1
    done
    if ! running; then
        echo "start-cups: cupsd did not start (see /var/log/cups/error_log)" >&2
        exit 1
    fi
fi
if ! lpstat -p "$queue" >/dev/null 2>&1; then
    # lpadmin warns that PPD drivers are deprecated; cups-pdf has no other form yet.
    lpadmin -p "$queue" -E -v cups-pdf:/ -m lsb/usr/cups-pdf/CUPS-PDF_opt.ppd 2>/dev/null
fi
# cups-filters' default PDF→PostScript renderer (Ghostscript) turns a page with a CJK CID font into
# one 300 dpi image: ~1 s slower per page and no text left in the PDF. Poppler's Cairo keeps it vector.
lpadmin -p "$queue" -o pdftops-renderer-default=pdftocairo
# A queue left paused or refusing jobs by an earlier run (the fault tests do that) is put back.
cupsenable "$queue"
cupsaccept "$queue"
# cups-pdf's Out line, usually ${HOME}/PDF, for the printing user.
home=$(getent passwd "$user" | cut -d: -f6)
out=$(sed -n 's/^[[:space:]]*Out[[:space:]]\+//p' /etc/cups/cups-pdf.conf 2>/dev/null | tail -n 1)
out=${out:-'${HOME}/PDF'}
out=${out//\$\{HOME\}/$home}
out=${out//\$\{USER\}/$user}
echo "$out"
