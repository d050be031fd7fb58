#!/usr/bin/env bash
# CI's check of the container image (deploy/Containerfile), as a region would run it:
#
#   1. a base image from Debian's own packages (debootstrap: no registry is needed), kept for the day;
#   2. the image built on it with buildah; hadolint on the Containerfile;
#   3. what the image holds: no development tools, uid 10001, the build's CA bundle nowhere;
#   4. against this machine's PostgreSQL and Redis, on a read-only root filesystem: `db upgrade` as an
#      owner role that may create roles (not a superuser) into a database of its own, `region create`,
#      then `serve` and `worker` until /health/ready answers 200, then SIGTERM: both must exit 0 with
#      their "stopped" line, well within the stop timeout.
#
# Everything it creates (containers, the image, the database, its roles, its Redis keys) is removed on
# every way out; the base image and buildah's storage stay in $STATE for the next run.
#
# Needs root, buildah, podman, runc, debootstrap, psql, and PostgreSQL (trust for `postgres` on
# 127.0.0.1) and Redis on this machine; .ci/run installs the programs. Settings (environment):
#   NASTAVNIK_IMAGE_CI_STATE   storage and the cached base (default /var/tmp/nastavnik-image-ci)
#   NASTAVNIK_IMAGE_CI_PGURL   the PostgreSQL superuser URL (default postgresql://postgres@127.0.0.1:5432/postgres)
#   NASTAVNIK_IMAGE_CI_REDIS   the Redis URL (default redis://127.0.0.1:6379/0; keys under a prefix of the run's)
#   DEBIAN_MIRROR              debootstrap's mirror (default http://deb.debian.org/debian)
set -euo pipefail
cd "$(dirname "$0")/.."

STATE=${NASTAVNIK_IMAGE_CI_STATE:-/var/tmp/nastavnik-image-ci}
PGURL=${NASTAVNIK_IMAGE_CI_PGURL:-postgresql://postgres@127.0.0.1:5432/postgres}
REDIS=${NASTAVNIK_IMAGE_CI_REDIS:-redis://127.0.0.1:6379/0}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
HOST_CA=/etc/ssl/certs/ca-certificates.crt
STOP_TIMEOUT=30 # podman's stop timeout here: a process still running then is killed (exit 137)

RUN=$(date -u +%H%M%S)$$
BASE_IMAGE=localhost/nastavnik-ci-base:bookworm-$(date -u +%Y%m%d)
IMAGE=localhost/nastavnik:ci-$RUN
DB=nastavnik_ci_$RUN
OWNER=nastavnik_ci_${RUN}_owner
ROLES=(app auditor aggregator provisioner)
PREFIX=nastavnik-image-ci-$RUN
WEB=nastavnik-ci-web-$RUN
WORKER=nastavnik-ci-worker-$RUN

STARTED=$(date +%s.%N)
LAST=$STARTED
# "== what" with the seconds since the start and since the previous step.
step() {
    local now
    now=$(date +%s.%N)
    awk -v a="$STARTED" -v b="$LAST" -v c="$now" -v what="$1" \
        'BEGIN { printf "== [%6.1fs total, %5.1fs step] %s\n", c - a, c - b, what }'
    LAST=$now
}
# Seconds since $1 (a `date +%s.%N`), to a tenth.
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

[ "$(id -u)" = 0 ] || fail "run as root (buildah, podman and debootstrap here run as root)"
for tool in buildah podman runc debootstrap psql curl uv; do
    command -v "$tool" >/dev/null || fail "$tool is not installed"
done

# Configuration of our own, not the machine's /etc/containers: runc (crun fails on this kernel's cgroups),
# cgroupfs (no systemd), overlay storage (a container starts in under a second; vfs takes 8-16 s),
# and a storage of the check's own, so the cached base does not mix with anyone else's images.
WORK=$(mktemp -d)
mkdir -p "$STATE/storage" "$STATE/run"
cat >"$WORK/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$STATE/storage"
runroot = "$STATE/run"
EOF
cat >"$WORK/containers.conf" <<EOF
[containers]
log_driver = "k8s-file"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$STATE/run/libpod"
EOF
export CONTAINERS_STORAGE_CONF=$WORK/storage.conf CONTAINERS_CONF=$WORK/containers.conf
export BUILDAH_ISOLATION=chroot

psql_admin() { psql "$PGURL" -v ON_ERROR_STOP=1 -qAtX "$@"; }

cleanup() {
    local status=$?
    set +e
    podman rm --force --time 0 "$WEB" "$WORKER" >/dev/null 2>&1
    podman rmi --force "$IMAGE" >/dev/null 2>&1
    psql_admin -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
    for role in "${ROLES[@]}"; do psql_admin -c "DROP ROLE IF EXISTS ${OWNER%_owner}_$role" >/dev/null 2>&1; done
    psql_admin -c "DROP ROLE IF EXISTS $OWNER" >/dev/null 2>&1
    if command -v redis-cli >/dev/null; then
        redis-cli -u "$REDIS" --scan --pattern "$PREFIX*" 2>/dev/null | xargs -r redis-cli -u "$REDIS" DEL >/dev/null 2>&1
    fi
    [ -z "${ctr:-}" ] || buildah rm "$ctr" >/dev/null 2>&1
    rm -rf "$WORK" "$STATE/rootfs-$RUN"
    [ "$status" = 0 ] || echo "== image check FAILED after $(since "$STARTED")s" >&2
    exit "$status"
}
trap cleanup EXIT

# --- hadolint -------------------------------------------------------------------------------------------
uv run --quiet hadolint deploy/Containerfile
step "hadolint: clean"

# --- the base image from Debian's packages, one per day (the day's security updates) ------------------------
exec 9>"$STATE/base.lock"
flock 9
if podman image exists "$BASE_IMAGE"; then
    step "base image $BASE_IMAGE: cached"
else
    root=$STATE/rootfs-$RUN
    rm -rf "$root"
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        bookworm "$root" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
        tail -30 "$WORK/debootstrap.log"
        fail "debootstrap"
    }
    # The downloaded packages and indexes, documentation and translations are of no use in an image
    # (as in Debian's own slim images).
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/* \
        "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
    ctr=$(buildah from scratch)
    mnt=$(buildah mount "$ctr")
    tar -C "$root" -cf - . | tar -C "$mnt" -xpf -
    buildah umount "$ctr" >/dev/null
    buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        --env LANG=C.UTF-8 --cmd /usr/bin/python3 "$ctr"
    buildah commit --quiet --rm "$ctr" "$BASE_IMAGE" >/dev/null
    ctr=
    rm -rf "$root"
    # Earlier days' bases are replaced by today's.
    podman images --format '{{.Repository}}:{{.Tag}}' localhost/nastavnik-ci-base |
        grep -vxF "$BASE_IMAGE" | xargs -r podman rmi --force >/dev/null || true
    step "base image $BASE_IMAGE: built from Debian's packages"
fi
flock -u 9

# --- the image ----------------------------------------------------------------------------------------------
# The host's CA bundle (HTTPS passes an intercepting proxy here) is mounted into the RUN steps only.
ca_args=()
if [ -f "$HOST_CA" ]; then
    ca_args=(--volume "$HOST_CA:/run/host-ca.crt:ro" --build-arg BUILD_CA_FILE=/run/host-ca.crt)
fi
buildah build --quiet --isolation chroot --pull=never --layers=false \
    --build-arg BASE="$BASE_IMAGE" "${ca_args[@]}" \
    -f deploy/Containerfile -t "$IMAGE" . >"$WORK/build.log" 2>&1 || {
    tail -40 "$WORK/build.log"
    fail "buildah build"
}
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
step "image $IMAGE built: $((size / 1000000)) MB ($(podman image inspect --format '{{.Size}}' "$BASE_IMAGE" | awk '{printf "%d", $1 / 1000000}') MB of it the base)"

# --- what the image holds ---------------------------------------------------------------------------------------
# A read-only root with one writable /tmp, as in Kubernetes (readOnlyRootFilesystem and an emptyDir):
# podman's own writable /run and /var/tmp are left out, so a write anywhere else fails the check.
run=(podman run --rm --runtime runc --ulimit nofile=20000:20000 --ulimit nproc=32768:32768
    --network host --read-only --read-only-tmpfs=false --tmpfs /tmp:rw,mode=1777,size=256m)
"${run[@]}" --entrypoint python3 "$IMAGE" -c '
import importlib.metadata as md, importlib.util as u, os, sys
plugins = sorted(e.name for e in md.entry_points(group="nastavnik"))
unwanted = [m for m in ("nastavnik_dev", "pytest", "pip", "setuptools", "uv") if u.find_spec(m)]
print("uid", os.getuid(), "gid", os.getgid(), "plugins", plugins, "unwanted", unwanted)
sys.exit(os.getuid() != 10001 or os.getgid() != 10001 or unwanted != []
         or plugins != ["colleges", "kindergartens", "schools"])
' || fail "the image holds what it should not, or misses a plugin"
if [ -f "$HOST_CA" ]; then
    # No file of the image is the host's bundle (which holds the proxy's CA), not even its empty mount
    # point is left, and the configuration does not name it.
    ca_size=$(stat -c %s "$HOST_CA")
    ca_sum=$(sha256sum "$HOST_CA" | cut -d' ' -f1)
    mnt=$(podman image mount "$IMAGE")
    found=$( (find "$mnt" -xdev -name 'host-ca*'
        find "$mnt" -xdev -type f -size "${ca_size}c" -exec sha256sum {} + | grep "$ca_sum") || true)
    podman image unmount "$IMAGE" >/dev/null
    [ -z "$found" ] || fail "the build's CA bundle is in the image: $found"
    if podman image inspect "$IMAGE" | grep -q host-ca; then
        fail "the image's configuration names the build's CA"
    fi
fi
step "image holds the product only (uid 10001, three plugins, no development tools, no build CA)"

# --- a database and roles of the run's own --------------------------------------------------------------------
# The owner may create roles but is no superuser, as a region's would be; db upgrade creates the rest.
psql_admin -c "CREATE ROLE $OWNER LOGIN CREATEROLE" -c "CREATE DATABASE $DB OWNER $OWNER"
pghost=$(psql_admin -c "SELECT coalesce(host(inet_server_addr()), '127.0.0.1') || ':' || current_setting('port')")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$WORK/env" <<EOF
NASTAVNIK_DATABASE_URL=postgresql+asyncpg://$OWNER@$pghost/$DB
NASTAVNIK_DB_APP_ROLE=${OWNER%_owner}_app
NASTAVNIK_DB_AUDITOR_ROLE=${OWNER%_owner}_auditor
NASTAVNIK_DB_AGGREGATOR_ROLE=${OWNER%_owner}_aggregator
NASTAVNIK_DB_PROVISIONER_ROLE=${OWNER%_owner}_provisioner
NASTAVNIK_REDIS_URL=$REDIS
NASTAVNIK_REDIS_PREFIX=$PREFIX
NASTAVNIK_SECRET_KEY=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')
NASTAVNIK_PORT=$port
NASTAVNIK_PUBLIC_URL=http://127.0.0.1:$port
NASTAVNIK_KEYCLOAK_URL=http://127.0.0.1:9
EOF
# Keycloak is asked only when someone signs in: an address where nothing answers is enough here.
step "database $DB, owner $OWNER (CREATEROLE, not a superuser)"

# A one-off command from the image; its output is shown when it fails, else its last line.
once() {
    "${run[@]}" --env-file "$WORK/env" "$IMAGE" "$@" >"$WORK/once.log" 2>&1 || {
        cat "$WORK/once.log" >&2
        fail "$*"
    }
    tail -1 "$WORK/once.log"
}
once db upgrade
step "db upgrade from the image"
once region create --code 99 --name "Проверочный регион" --timezone Europe/Moscow \
    --admin-email admin@example.org --admin-last-name Иванова --admin-first-name Анна
step "region create from the image (Keycloak unset: the administrator's account waits for it)"

# --- serve and worker, until SIGTERM ----------------------------------------------------------------------------
detached=("${run[@]/--rm/--detach}")
"${detached[@]}" --name "$WEB" --env-file "$WORK/env" "$IMAGE" >/dev/null
"${detached[@]}" --name "$WORKER" --env-file "$WORK/env" "$IMAGE" worker >/dev/null
running() { [ "$(podman container inspect --format '{{.State.Running}}' "$1")" = true ]; }
show_logs() { for c in "$WEB" "$WORKER"; do echo "--- $c" >&2; podman logs "$c" 2>&1 | tail -30 >&2; done; }
deadline=$((SECONDS + 90))
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready")" = 200 ]; do
    if ! running "$WEB" || ! running "$WORKER" || [ $SECONDS -ge $deadline ]; then
        show_logs
        fail "/health/ready did not answer 200"
    fi
    sleep 0.5
done
# The packaged files are there: the stylesheet, the OpenAPI UI's bundle, and the document of every route.
for path in /static/app.css /static/swagger-ui/swagger-ui-bundle.js /schema/openapi.json; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$path")
    [ "$code" = 200 ] || fail "GET $path answered $code"
done
step "serve: /health/ready 200; static files and /schema/openapi.json 200"
# The worker is at work once arq has registered its functions and polls the queue.
until podman logs "$WORKER" 2>&1 | grep -q 'Starting worker'; do
    if ! running "$WORKER" || [ $SECONDS -ge $deadline ]; then
        show_logs
        fail "the worker did not start"
    fi
    sleep 0.5
done
step "worker: started"

for pair in "$WEB:web server stopped" "$WORKER:worker stopped"; do
    container=${pair%%:*} line=${pair#*:}
    began=$(date +%s.%N)
    podman stop --time "$STOP_TIMEOUT" "$container" >/dev/null
    took=$(since "$began")
    code=$(podman container inspect --format '{{.State.ExitCode}}' "$container")
    if [ "$code" != 0 ] || ! podman logs "$container" 2>&1 | grep -q "\"$line\""; then
        show_logs
        fail "$container: exit code $code after SIGTERM (${took}s), or no \"$line\" line"
    fi
    step "$container: SIGTERM → exit 0 in ${took}s, \"$line\""
done

echo "== image check passed in $(since "$STARTED")s; image $((size / 1000000)) MB"
