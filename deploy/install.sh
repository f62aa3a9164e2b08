#!/usr/bin/env bash
# Installs a hall machine or a kiosk from this checkout (docs/deployment.md):
#
#   deploy/install.sh hall  [--nodes "8001 8002 8003"]   hall nodes behind nginx with TLS
#   deploy/install.sh kiosk                              the kiosk under cage, started at boot
#
# Run as root on the target machine (Debian 12): Debian packages, the service user, this checkout as a
# new release (/opt/gov-kiosk/releases/STAMP/src with its virtualenv beside it, /opt/gov-kiosk/current
# pointing at it), settings (kept when present), service units, the proxy and log rotation; then the
# schema is upgraded and the services restarted one at a time, each answering before the next goes.
# Running it again from a newer checkout is the upgrade (docs/deployment.md).
# With --root DIR the files alone are written under DIR (packaging, tests): no packages, no users, no
# virtualenv, no systemctl.
set -euo pipefail

usage() {
    echo "usage: $0 hall|kiosk [--nodes \"PORT ...\"] [--root DIR]" >&2
    exit 2
}

[ $# -ge 1 ] || usage
ROLE=$1
shift
case "$ROLE" in hall|kiosk) ;; *) usage ;; esac
ROOT=""
NODES="8001"
while [ $# -gt 0 ]; do
    case "$1" in
        --root) [ $# -ge 2 ] || usage; ROOT=$(realpath -m "$2"); shift 2 ;;
        --nodes) [ $# -ge 2 ] || usage; NODES=$2; shift 2 ;;
        *) usage ;;
    esac
done
for port in $NODES; do
    [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1024 ] && [ "$port" -le 65535 ] || {
        echo "install.sh: --nodes: not a port from 1024 to 65535: $port" >&2
        exit 2
    }
done

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(dirname "$HERE")
APP=/opt/gov-kiosk
# Files land under $ROOT; commands act on the running system only without --root.
live() { [ -z "$ROOT" ]; }
put() {  # put MODE OWNER:GROUP SOURCE TARGET [keep]: install a file, or leave an existing one with "keep"
    local mode=$1 owner=$2 source=$3 target=$ROOT$4 keep=${5:-}
    if [ -n "$keep" ] && [ -e "$target" ]; then
        echo "kept $4 (already there)"
        return
    fi
    install -D -m "$mode" "$source" "$target"
    if live; then chown "$owner" "$target"; fi
    echo "wrote $4"
}

if live && [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: run as root (or with --root DIR to write the files only)" >&2
    exit 2
fi

system_user() {  # system_user NAME HOME [GROUP ...]
    local name=$1 home=$2
    shift 2
    if ! id "$name" >/dev/null 2>&1; then
        useradd --system --home-dir "$home" --no-create-home --shell /usr/sbin/nologin "$name"
    fi
    for group in "$@"; do
        if getent group "$group" >/dev/null; then usermod -a -G "$group" "$name"; fi
    done
}

application() {  # this checkout as a new release with its own virtualenv; "current" moves to it at the end
    local stamp
    stamp=$(date -u +%Y%m%dT%H%M%S)
    RELEASE=$APP/releases/$stamp
    install -d "$ROOT$RELEASE/src"
    tar -C "$SRC" --exclude=.git --exclude=.venv --exclude=artifacts --exclude=__pycache__ \
        --exclude=.mypy_cache --exclude=.ruff_cache --exclude=.pytest_cache --exclude=.hypothesis \
        --exclude=./tests -cf - . | tar -C "$ROOT$RELEASE/src" -xf -
    echo "copied the application to $RELEASE/src"
    if live; then
        python3 -m venv "$RELEASE/venv"
        "$RELEASE/venv/bin/pip" install --quiet --upgrade pip
        "$RELEASE/venv/bin/pip" install --quiet "$RELEASE/src"
        echo "installed it into $RELEASE/venv"
    fi
    # Running services keep the release they started from; each restart takes the new one.
    ln -sfn "releases/$stamp" "$ROOT$APP/current.new"
    mv -T "$ROOT$APP/current.new" "$ROOT$APP/current"
    # The three newest releases stay, to go back to (docs/deployment.md, "Going back").
    find "$ROOT$APP/releases" -mindepth 1 -maxdepth 1 -type d | sort | head -n -3 | xargs -r rm -rf
}

answering() {  # answering PORT: wait until a node serves its pages again (60 s at most)
    local port=$1
    for _ in $(seq 120); do
        if "$APP/current/venv/bin/python" -c "import sys, urllib.request
urllib.request.urlopen(f'http://127.0.0.1:{sys.argv[1]}/docs', timeout=2)" "$port" 2>/dev/null; then
            return 0
        fi
        sleep 0.5
    done
    echo "install.sh: hall-server@$port does not answer; see journalctl -u hall-server@$port" >&2
    return 1
}

install_hall() {
    if live; then
        apt-get update -q
        # nginx: TLS and the proxy; gcc and libcups2-dev: pycups builds against libcups.
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            python3 python3-venv python3-dev gcc libcups2-dev nginx logrotate sqlite3 ca-certificates
        system_user gov-hall /var/lib/gov-hall
    fi
    application
    put 0640 root:gov-hall "$HERE/hall.env.example" /etc/gov-hall/hall.env keep
    install -d -m 0750 "$ROOT/etc/gov-hall/tls"
    put 0644 root:root "$HERE/systemd/hall-server@.service" /etc/systemd/system/hall-server@.service
    put 0644 root:root "$HERE/nginx/gov-hall.conf" /etc/nginx/conf.d/gov-hall.conf keep
    put 0644 root:root "$HERE/logrotate/gov-hall" /etc/logrotate.d/gov-hall
    install -d -m 0750 "$ROOT/var/log/gov-hall"
    for port in $NODES; do
        install -d "$ROOT/etc/systemd/system/multi-user.target.wants"
        ln -sfn /etc/systemd/system/hall-server@.service \
            "$ROOT/etc/systemd/system/multi-user.target.wants/hall-server@$port.service"
    done
    if ! live; then return; fi
    chown www-data:adm /var/log/gov-hall
    # The unit's StateDirectory and CacheDirectory, made now for what runs before the first start.
    install -d -o gov-hall -g gov-hall -m 0700 /var/lib/gov-hall /var/cache/gov-hall
    systemctl daemon-reload
    # The schema first, once (the nodes' own start-up upgrade is then a no-op). Then the font pieces a
    # node's start would otherwise cut (seconds of CPU, once per machine), into the cache the units have
    # (their HALL_FONT_CACHE, which hall.env may set as it overrides the unit's); an upgrade with the same
    # fonts finds them there and cuts nothing.
    (export HALL_FONT_CACHE=/var/cache/gov-hall/font-pieces
     set -a; . /etc/gov-hall/hall.env; set +a
     runuser -u gov-hall -- env HALL_DATA_DIR=/var/lib/gov-hall "$APP/current/venv/bin/hall-server" db upgrade
     runuser -u gov-hall -- env HALL_DATA_DIR=/var/lib/gov-hall "$APP/current/venv/bin/hall-server" fonts prepare)
    # One node at a time: the proxy sends requests to the others meanwhile.
    for port in $NODES; do
        systemctl enable "hall-server@$port.service"
        systemctl restart "hall-server@$port.service"
        answering "$port"
    done
    if [ ! -e /etc/gov-hall/tls/fullchain.pem ]; then
        echo "next: put the certificate in /etc/gov-hall/tls/fullchain.pem and privkey.pem, set server_name"
        echo "      and the upstream's nodes in /etc/nginx/conf.d/gov-hall.conf, then: systemctl reload nginx"
    else
        nginx -t && systemctl reload nginx
    fi
}

install_kiosk() {
    if live; then
        apt-get update -q
        # cage and Xwayland: the compositor the kiosk runs full screen in; udev: the device nodes of the
        # touch screen, the serial devices and the GPU, and the groups input and render the unit runs in
        # (a minimal Debian has neither; systemd refuses to start a unit with a group that does not
        # exist); seatd: cage's seat, for the group video (the unit opens no login session:
        # deploy/systemd/gov-kiosk.service says why); the rest: what the kiosk uses (SDL, touch,
        # handwriting, voice, CUPS, Chinese fonts) and what pycups builds with.
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            cage xwayland udev seatd python3 python3-venv python3-dev gcc libcups2-dev \
            libgl1 libegl1 libgles2 libgl1-mesa-dri libmtdev1 libsdl2-2.0-0 libsdl2-image-2.0-0 \
            libsdl2-ttf-2.0-0 libsdl2-mixer-2.0-0 libzinnia0 tegaki-zinnia-simplified-chinese \
            espeak-ng cups fonts-noto-cjk ca-certificates
        system_user kiosk /var/lib/gov-kiosk dialout input video render
    fi
    application
    put 0640 root:kiosk "$SRC/kiosk/config.example.toml" /etc/gov-kiosk/kiosk.toml keep
    put 0644 root:root "$HERE/systemd/gov-kiosk.service" /etc/systemd/system/gov-kiosk.service
    install -d "$ROOT/etc/systemd/system/graphical.target.wants"
    ln -sfn /etc/systemd/system/gov-kiosk.service \
        "$ROOT/etc/systemd/system/graphical.target.wants/gov-kiosk.service"
    if ! live; then return; fi
    systemctl daemon-reload
    systemctl enable --now seatd.service
    systemctl set-default graphical.target
    # A wrong setting stops here, with the key named, rather than in a restart loop on the screen.
    if ! runuser -u kiosk -- "$APP/current/venv/bin/python" -c \
            "import sys; from kiosk.config import load_config; load_config(sys.argv[1])" \
            /etc/gov-kiosk/kiosk.toml; then
        echo "fix /etc/gov-kiosk/kiosk.toml (hall.url, hall.token, hall.ca_file, technician_pin), then:"
        echo "      systemctl restart gov-kiosk"
        exit 1
    fi
    systemctl restart gov-kiosk.service
}

"install_$ROLE"
