#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the demo and the tests need:
# Xvfb and GL for the Kivy window, PostgreSQL for the second database,
# Chromium for the staff-console tests, fonts and tools to look at screenshots (and, with poppler, at
# the certificates the hall makes), libzinnia with the tegaki Simplified Chinese model for handwritten
# name characters on the kiosk, CUPS with the cups-pdf backend as the A4 printer (libcups2-dev and
# gcc: pycups compiles against libcups), and espeak-ng, the kiosk's voice guidance (语音播报: it reads
# each screen aloud in Mandarin, Cantonese or English), redis-server for halls of several nodes, and
# systemd for `systemd-analyze verify` over the service units in deploy/, and nginx with logrotate: the
# reverse proxy in deploy/ (TLS, WebSocket and event streams to several hall nodes) checked with `nginx -t`
# and run in front of a hall in the tests, and its log rotation run by the tests; cage (with Xwayland, which
# it will not start without), the compositor a kiosk runs under, run headless by the tests of the kiosk's
# compositor probe.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends \
    xvfb xauth x11-utils xdotool \
    libgl1 libegl1 libgles2 libgl1-mesa-dri libmtdev1 libsdl2-2.0-0 libsdl2-image-2.0-0 \
    libsdl2-ttf-2.0-0 libsdl2-mixer-2.0-0 libxrender1 libxext6 \
    postgresql postgresql-contrib \
    chromium chromium-driver \
    fonts-noto-cjk \
    imagemagick \
    libzinnia0 tegaki-zinnia-simplified-chinese \
    cups printer-driver-cups-pdf libcups2-dev gcc poppler-utils \
    espeak-ng \
    cage xwayland \
    redis-server systemd \
    nginx logrotate
