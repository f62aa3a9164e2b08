#!/usr/bin/env bash
# Follows docs/deployment.md ("From a bare machine to two nodes behind TLS") on a fresh Debian 12 under a
# real systemd: a container booted with systemd-nspawn. The checkout's HEAD is installed with
# deploy/install.sh (a wheel, as on a real hall), on PostgreSQL and Redis of the container's own, behind
# nginx with a certificate from a CA made here; then it checks what a technician would:
#   - both nodes run hardened under systemd, on the shared database and Redis;
#   - a call made through the proxy reaches the calling screens' streams on both nodes;
#   - a node killed with SIGKILL is restarted by systemd; with one node stopped the proxy still serves;
#   - a kiosk installed with deploy/install.sh kiosk runs under cage (headless: a container has no screen),
#     reaches the hall over HTTPS with the hall's CA, and is restarted when killed, when its event loop
#     stops or when cage freezes (the watchdog). Its screen is saved to artifacts/deploy-kiosk-screen.png.
# Needs root, Debian's debootstrap and systemd-container (installed here), and the network (Debian, PyPI).
# Not part of scripts/test: it takes minutes and a machine of its own. The container shares the host's
# network: the host's ports 80, 443, 5433, 6379, 8001 and 8002 must be free.
#
#   sudo scripts/check-deploy-in-container.sh [--keep]   (--keep: leave the container running afterwards)
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then exec sudo "$0" "$@"; fi
KEEP=${1:-}
SRC=$(cd "$(dirname "$0")/.." && pwd)
MACHINE=${HALL_CHECK_MACHINE:-/var/lib/machines/gov-hall-check}
NAME=hall.example.gov.cn

DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap systemd-container >/dev/null
if [ ! -x "$MACHINE/usr/lib/systemd/systemd" ]; then
    echo "== a bare Debian 12 in $MACHINE"
    debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,ca-certificates,sudo,git,curl,openssl \
        bookworm "$MACHINE" http://deb.debian.org/debian >/dev/null
fi
# The host's trust store and pip settings: a machine behind a TLS-inspecting proxy needs them inside too.
cp /etc/ssl/certs/ca-certificates.crt "$MACHINE/usr/local/share/ca-certificates/host-bundle.crt"
if [ -f /etc/pip.conf ]; then cp /etc/pip.conf "$MACHINE/etc/pip.conf"; fi
echo hall-box >"$MACHINE/etc/hostname"
# debootstrap's minbase writes no /etc/hosts: without localhost in it, PostgreSQL cannot listen there.
grep -qw localhost "$MACHINE/etc/hosts" 2>/dev/null || echo "127.0.0.1 localhost" >>"$MACHINE/etc/hosts"
grep -q hall-box "$MACHINE/etc/hosts" || echo "127.0.1.1 hall-box" >>"$MACHINE/etc/hosts"
rm -rf "$MACHINE/root/gov-kiosk"
git clone -q "$SRC" "$MACHINE/root/gov-kiosk"

echo "== booting it"
setsid systemd-nspawn -D "$MACHINE" --boot --register=no --keep-unit --console=read-only \
    >/var/log/gov-hall-check-console.log 2>&1 &
NSPAWN=$!
stop() {  # the container halts on the first SIGTERM; a second one ends it at once
    if [ "$KEEP" = "--keep" ]; then return; fi
    kill "$NSPAWN" 2>/dev/null || return 0
    for _ in $(seq 30); do kill -0 "$NSPAWN" 2>/dev/null || return 0; sleep 1; done
    kill "$NSPAWN" 2>/dev/null || true
}
trap stop EXIT
inside() {  # inside COMMAND...: run a shell command in the booted container
    local init
    init=$(pgrep -P "$NSPAWN" | head -n 1)
    nsenter -t "$init" -a -- /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        /bin/bash -c "$*"
}
for _ in $(seq 60); do
    state=$(inside "systemctl is-system-running" 2>/dev/null || true)
    case "$state" in running|degraded) break ;; esac
    sleep 1
done
echo "   systemd: $state"

echo "== step 1: PostgreSQL (port 5433: the host's may hold 5432) and Redis, from Debian"
inside "update-ca-certificates >/dev/null 2>&1; apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql redis-server >/dev/null
sed -i 's/^port = 5432/port = 5433/' /etc/postgresql/15/main/postgresql.conf
systemctl restart postgresql@15-main
runuser -u postgres -- psql -p 5433 -qtc \"SELECT 1 FROM pg_roles WHERE rolname='hall'\" | grep -q 1 ||
    runuser -u postgres -- psql -p 5433 -qc \"CREATE ROLE hall LOGIN PASSWORD 'check-password'\"
# Each run starts from an empty database (a run before may have left its clerks signed in).
systemctl stop 'hall-server@*' 2>/dev/null || true
runuser -u postgres -- dropdb -p 5433 --if-exists --force hall
runuser -u postgres -- createdb -p 5433 -O hall hall"

echo "== step 2: the first install, two nodes"
# The journal is read from here on: the nodes a run before left enabled saw PostgreSQL restart above.
inside "date '+%Y-%m-%d %H:%M:%S' >/root/check-since
cd /root/gov-kiosk && deploy/install.sh hall --nodes '8001 8002' >/root/install-1.log 2>&1" || {
    inside "tail -n 30 /root/install-1.log"; exit 1; }

echo "== step 3: the shared database and Redis, and the install again"
# The nodes' clocks start on a working morning (serve --now, as a demo outside opening hours does): the
# check takes a ticket and calls it, which a closed queue refuses, at whatever hour it runs.
inside "sed -i -e '/^HALL_DB_URL=/d' -e '/^HALL_PUBLIC_URL=/d' -e '/^HALL_SERVE_ARGS=/d' /etc/gov-hall/hall.env
cat >>/etc/gov-hall/hall.env <<'EOF'
HALL_DB_URL=postgresql+psycopg://hall:check-password@127.0.0.1:5433/hall
HALL_PUBLIC_URL=https://$NAME
HALL_SERVE_ARGS=\"--redis redis://127.0.0.1:6379/0 --now 2026-11-25T10:00:00+08:00\"
EOF
cd /root/gov-kiosk && deploy/install.sh hall --nodes '8001 8002' >/root/install-2.log 2>&1" || {
    inside "tail -n 30 /root/install-2.log"; exit 1; }

echo "== step 4: the certificate and the proxy"
inside "cd /root && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 7 \
    -subj '/CN=Check CA' 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout /etc/gov-hall/tls/privkey.pem -out hall.csr -subj '/CN=$NAME' 2>/dev/null
printf 'subjectAltName=DNS:$NAME\n' >san
openssl x509 -req -in hall.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out /etc/gov-hall/tls/fullchain.pem \
    -days 7 -extfile san 2>/dev/null
chmod 0600 /etc/gov-hall/tls/privkey.pem
sed -i '/server 127.0.0.1:8003/d' /etc/nginx/conf.d/gov-hall.conf
nginx -t 2>/dev/null && systemctl reload nginx"

# What the checks of steps 5 and 6 share: the hall's command as its nodes run, a line per check, and
# waiting for something to come true.
CHECK_LIB=$(cat <<'LIB'
set -euo pipefail
hall() { sudo -u gov-hall sh -c 'set -a; . /etc/gov-hall/hall.env; set +a; \
    HALL_DATA_DIR=/var/lib/gov-hall exec /opt/gov-kiosk/current/venv/bin/hall-server "$@"' hall "$@"; }
ok() { echo "   ok: $*"; }
within() {  # within SECONDS COMMAND...: true as soon as COMMAND succeeds, tried every half second
    local tries=$(( $1 * 2 ))
    shift
    for _ in $(seq "$tries"); do "$@" && return 0; sleep 0.5; done
    return 1
}
restarted() {  # restarted UNIT OLD_PID: UNIT active (for Type=notify: ready) under a main process not OLD_PID
    local pid
    pid=$(systemctl show -p MainPID --value "$1")
    [ "$(systemctl is-active "$1")" = active ] && [ "$pid" != 0 ] && [ "$pid" != "$2" ]
}
LIB
)

echo "== step 5: the checks"
inside "$CHECK_LIB
$(cat <<'CHECK'
C=(--cacert /root/ca.pem --resolve hall.example.gov.cn:443:127.0.0.1 --resolve hall.example.gov.cn:80:127.0.0.1)
U=https://hall.example.gov.cn
fail() { echo "   FAILED: $*"; exit 1; }
for port in 8001 8002; do
    [ "$(systemctl is-active hall-server@$port)" = active ] || fail "hall-server@$port is not running"
done
[ "$(systemctl show -p NoNewPrivileges --value hall-server@8001)" = yes ] || fail "the hardening is not applied"
ok "two nodes run under systemd, hardened"
journalctl -u 'hall-server@*' --since "$(cat /root/check-since)" --no-pager | grep Traceback >/dev/null &&
    fail "a node logged a traceback"
ok "no traceback in the nodes' journal"
# nginx's reload is under way while its old workers finish: the new certificate within a few seconds.
within 10 curl -s -o /dev/null "${C[@]}" $U/display/HQ || true
[ "$(curl -sS -o /dev/null -w '%{http_code}' "${C[@]}" http://hall.example.gov.cn/display/HQ)" = 301 ] ||
    fail "plain HTTP is not sent to HTTPS"
[ "$(curl -sS -o /dev/null -w '%{http_code}' "${C[@]}" $U/display/HQ)" = 200 ] || fail "no calling screen"
ok "HTTPS with the hall's certificate; plain HTTP redirected"
kiosk=$(hall kiosk add "CHECK-$RANDOM" --site HQ | tail -n 1)
clerk="check$RANDOM"
printf '%s\n' 'a long check password' | hall staff add "$clerk" --role counter --password-stdin >/dev/null
for port in 8001 8002; do
    (timeout 20 curl -sN http://127.0.0.1:$port/api/v1/sites/HQ/calls/stream >/root/stream-$port.txt 2>&1 &)
done
sleep 2
ticket=$(curl -sS "${C[@]}" -H "Authorization: Bearer $kiosk" -H 'Content-Type: application/json' \
    -H "Idempotency-Key: check-$RANDOM" -d '{"service":"SB-001"}' $U/api/v1/tickets)
number=$(printf '%s' "$ticket" | python3 -c 'import json, sys; print(json.load(sys.stdin)["number"])')
token=$(curl -sS "${C[@]}" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$clerk\",\"password\":\"a long check password\"}" $U/api/v1/auth/login |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
for step in windows/15/sign-in counters/15/call-next; do
    code=$(curl -sS -o /root/answer.json -w '%{http_code}' "${C[@]}" -X POST -H "Authorization: Bearer $token" \
        "$U/api/v1/$step?site=HQ")
    [ "$code" = 200 ] || fail "$step answered $code: $(head -c 200 /root/answer.json)"
done
sleep 2
for port in 8001 8002; do
    grep '^data' /root/stream-$port.txt | grep '"type":"called"' | grep "\"$number\"" >/dev/null ||
        fail "the call of $number did not reach the stream on node $port"
done
ok "the call of $number, made through the proxy, reached the streams of both nodes"
old=$(systemctl show -p MainPID --value hall-server@8001)
kill -9 "$old"
within 15 restarted hall-server@8001 "$old" || fail "hall-server@8001 was not restarted after SIGKILL"
ok "a node killed with SIGKILL was restarted by systemd"
systemctl stop hall-server@8001
for _ in $(seq 10); do
    [ "$(curl -sS -o /dev/null -w '%{http_code}' "${C[@]}" $U/display/HQ)" = 200 ] || fail "the proxy failed a request"
done
ok "with one node stopped, ten requests through the proxy were all served"
systemctl start hall-server@8001
CHECK
)"
echo "== step 6: a kiosk (docs/deployment.md, \"A kiosk\"), reaching the hall through the proxy"
# A container has no tty7, no GPU and no touch screen: a drop-in, the only change to the installed unit,
# lets cage draw on wlroots' headless backend in software. Everything else runs as installed.
inside "$(cat <<'KIOSK'
set -euo pipefail
install -d /etc/systemd/system/gov-kiosk.service.d
printf '%s\n' '[Service]' 'TTYPath=/dev/console' 'StandardInput=null' 'TTYReset=no' 'TTYVHangup=no' \
    'TTYVTDisallocate=no' \
    'Environment=WLR_BACKENDS=headless WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman LIBGL_ALWAYS_SOFTWARE=1' \
    >/etc/systemd/system/gov-kiosk.service.d/container.conf
grep -q hall.example.gov.cn /etc/hosts || echo "127.0.0.1 hall.example.gov.cn" >>/etc/hosts
rm -f /etc/gov-kiosk/kiosk.toml  # a run before edited it: the install writes the example again
cd /root/gov-kiosk && deploy/install.sh kiosk >/root/install-kiosk.log 2>&1 || {
    tail -n 30 /root/install-kiosk.log; exit 1; }
KIOSK
)"
inside "$CHECK_LIB
$(cat <<'CHECK'
fail() { echo "   FAILED: $*"; journalctl -u gov-kiosk --no-pager -n 40; exit 1; }
kiosk_pid() { pgrep -u kiosk -f '/python3 /opt/gov-kiosk/current/venv/bin/kiosk'; }  # not cage's, which names it too
ready() { within 90 restarted gov-kiosk "$1"; }  # ready OLD_PID: READY=1 came from a new kiosk
# The technician's part: the hall's address, this kiosk's token and the CA, then a restart.
cp /root/ca.pem /etc/gov-kiosk/hall-ca.pem
token=$(hall kiosk add "KIOSK-CHECK-$RANDOM" --site HQ | tail -n 1)
sed -i -e '/^\[hall\]/,/^\[/ s|^url = .*|url = "https://hall.example.gov.cn"|' \
    -e "s|^token = .*|token = \"$token\"|" -e 's|^ca_file = .*|ca_file = "/etc/gov-kiosk/hall-ca.pem"|' \
    /etc/gov-kiosk/kiosk.toml
: >/var/log/gov-hall/proxy-access.log
started=$(date '+%Y-%m-%d %H:%M:%S')
systemctl restart gov-kiosk || fail "gov-kiosk did not start"
ready 0 || fail "gov-kiosk never became ready"
ok "the kiosk runs under cage as $(ps -o user= -p "$(kiosk_pid)"), ready: its first screen drawn"
within 30 grep -q '"POST /api/v1/kiosks/heartbeat" 200' /var/log/gov-hall/proxy-access.log ||
    fail "no heartbeat of the kiosk reached the hall"
ok "its heartbeat reached the hall through the proxy, over HTTPS with the hall's CA"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q grim >/dev/null
runuser -u kiosk -- env XDG_RUNTIME_DIR=/run/gov-kiosk WAYLAND_DISPLAY=wayland-0 \
    grim /var/lib/gov-kiosk/screen.png || fail "no screenshot of cage's output"
mv /var/lib/gov-kiosk/screen.png /root/kiosk-screen.png
# wlroots' headless output is 1280 x 720, the kiosk's screen 1920 x 1080: the picture shows part of it.
ok "its screen taken from cage's output"
journalctl -u gov-kiosk --since "$started" --no-pager | grep Traceback >/dev/null && fail "the kiosk logged a traceback"
ok "no traceback in the kiosk's journal"
old=$(systemctl show -p MainPID --value gov-kiosk)
kill -9 "$(kiosk_pid)"
ready "$old" || fail "the kiosk was not restarted after it was killed"
ok "a kiosk killed with SIGKILL was restarted"
old=$(systemctl show -p MainPID --value gov-kiosk)
kill -STOP "$(kiosk_pid)"
stopped=$(date +%s)
ready "$old" || fail "a kiosk whose event loop stopped was not restarted"
journalctl -u gov-kiosk --since "$started" --no-pager | grep -i 'watchdog timeout' >/dev/null ||
    fail "the restart was not the watchdog's"
ok "a kiosk whose event loop stopped was killed by the watchdog and ready again $(( $(date +%s) - stopped )) s later"
# A hung compositor: the screen freezes while the kiosk's loop runs on (it draws through Xwayland). The
# kiosk sees cage answer no round trip and stops feeding the watchdog (kiosk/compositor_probe.py).
started=$(date '+%Y-%m-%d %H:%M:%S')
old=$(systemctl show -p MainPID --value gov-kiosk)
kill -STOP "$old"  # the unit's main process: cage
stopped=$(date +%s)
ready "$old" || fail "a kiosk whose compositor froze was not restarted"
# Not grep -q: it ends at the first match, journalctl dies of SIGPIPE, and pipefail fails the test.
journalctl -u gov-kiosk --since "$started" --no-pager | grep "compositor does not answer" >/dev/null ||
    fail "the kiosk did not say that its compositor stopped answering"
journalctl -u gov-kiosk --since "$started" --no-pager | grep -i 'watchdog timeout' >/dev/null ||
    fail "the restart was not the watchdog's"
ok "a frozen cage: the kiosk stopped feeding the watchdog and was ready again $(( $(date +%s) - stopped )) s later"
CHECK
)"
install -d "$SRC/artifacts"
cp "$MACHINE/root/kiosk-screen.png" "$SRC/artifacts/deploy-kiosk-screen.png"
echo "   the kiosk's screen under cage: artifacts/deploy-kiosk-screen.png"
echo "== done: the deployment guide's two nodes behind TLS and a kiosk work under systemd"
