#!/usr/bin/env bash
# Run Podman's Docker-compatible API beside dockerd, for the manual check in scripts/podman-check.sh.
#
# Usage: scripts/podman.sh [start|stop|status]     (default: start)
#   start   install podman + catatonit + netavark/aardvark-dns when missing, write a
#           containers.conf and registries.conf, start `podman system service` on unix:///tmp/podman.sock, load the
#           flotilla-busybox base image into Podman, and print the DOCKER_HOST to use (stdout).
#   stop    stop the service this script started (by its pid file) and remove the socket.
#   status  print the DOCKER_HOST when the service answers, exit 1 otherwise.
#
# Safe to run repeatedly. It never touches dockerd, /var/run/docker.sock, /etc/docker or Docker's
# iptables chains: Podman keeps its own storage, run and network config directories (under
# $STATE_DIR, not /var/lib/containers), its own bridges (podman*, 10.89.x.0/24; netavark's own
# iptables chains) and its own socket.
set -euo pipefail

STATE_DIR="${FLOTILLA_PODMAN_DIR:-/tmp/flotilla-podman}"
SOCK="${FLOTILLA_PODMAN_SOCK:-/tmp/podman.sock}"
CONF="$STATE_DIR/containers.conf"
REGISTRIES="$STATE_DIR/registries.conf"
STORAGE="$STATE_DIR/storage.conf"
PIDFILE="$STATE_DIR/service.pid"
LOG="$STATE_DIR/service.log"
IMAGE="${FLOTILLA_BASE_IMAGE:-flotilla-busybox:latest}"
EXEC_EXIT_DELAY=10
export CONTAINERS_CONF="$CONF" CONTAINERS_REGISTRIES_CONF="$REGISTRIES" CONTAINERS_STORAGE_CONF="$STORAGE"

log() { printf 'podman: %s\n' "$*" >&2; }

answers() {
  [ -S "$SOCK" ] && curl -fsS --max-time 2 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1
}

running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

install_packages() {
  local need=()
  command -v podman >/dev/null 2>&1 || need+=(podman)
  command -v catatonit >/dev/null 2>&1 || need+=(catatonit)
  [ -x /usr/lib/podman/netavark ] || need+=(netavark)
  [ -x /usr/lib/podman/aardvark-dns ] || need+=(aardvark-dns)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  [ "${#need[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    log "missing ${need[*]} and not root: install them yourself"
    exit 1
  fi
  log "installing ${need[*]} (apt)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

write_conf() {
  mkdir -p "$STATE_DIR"
  local nofile catatonit
  nofile="$(ulimit -Hn)"
  [ "$nofile" = unlimited ] && nofile=1048576
  catatonit="$(command -v catatonit || echo /usr/bin/catatonit)"
  # Podman's default ulimits ask for more open files than this sandbox grants: cap them at the
  # hard limit we have. No systemd or journald here: cgroupfs and file-based logs/events.
  # netavark + aardvark-dns: service-name DNS (internal networks too) and real network ids (CNI
  # derives a network's id from its name, so a recreated network keeps its id).
  # exit_command_delay: after an exec session ends its conmon waits this long (default 300 s,
  # Docker's exec cleanup delay) before cleaning up; 10 s is plenty for a client to read the exit
  # code and lets `stop` wait for those processes instead of leaving them behind for 5 minutes.
  cat >"$CONF.tmp" <<EOF
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=32768:32768"]
init_path = "${catatonit}"
log_driver = "k8s-file"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "${STATE_DIR}/events.log"
runtime = "runc"
exit_command_delay = ${EXEC_EXIT_DELAY}
tmp_dir = "${STATE_DIR}/tmp"
lock_type = "file"
static_dir = "${STATE_DIR}/storage/libpod"
volume_path = "${STATE_DIR}/storage/volumes"

[network]
network_backend = "netavark"
network_config_dir = "${STATE_DIR}/networks"
EOF
  mv "$CONF.tmp" "$CONF"
  mkdir -p "$STATE_DIR/tmp" "$STATE_DIR/networks"
  printf '%s\n' '[storage]' 'driver = "overlay"' "graphroot = \"$STATE_DIR/storage\"" "runroot = \"$STATE_DIR/run\"" >"$STORAGE"
  # As Docker: short names from Docker Hub, plain HTTP to registries on the loopback (the pull tests'
  # local docker-registry).
  printf '%s\n' 'unqualified-search-registries = ["docker.io"]' '' '[[registry]]' 'location = "127.0.0.1"' 'insecure = true' \
    '' '[[registry]]' 'location = "localhost"' 'insecure = true' >"$REGISTRIES"
}

start_service() {
  if answers; then
    log "service already answering on $SOCK"
    return 0
  fi
  if pid="$(running_pid)"; then
    log "stale service (pid $pid) does not answer: stopping it"
    kill "$pid" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$SOCK"
  log "starting podman system service (log: $LOG)"
  nohup podman system service --time=0 "unix://$SOCK" >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 60); do
    answers && { log "service ready ($(podman version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"; return 0; }
    sleep 0.5
  done
  log "service did not answer within 30 s; last lines of $LOG:"
  tail -n 20 "$LOG" >&2 || true
  exit 1
}

load_base_image() {
  if podman image exists "$IMAGE" 2>/dev/null; then
    return 0
  fi
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    log "loading $IMAGE from dockerd"
    docker save "$IMAGE" | podman load -q >/dev/null
  else
    log "building $IMAGE with podman"
    local ctx
    ctx="$(mktemp -d)"
    cp /bin/busybox "$ctx/busybox"
    printf '%s\n' 'FROM scratch' 'COPY busybox /bin/busybox' \
      'RUN ["/bin/busybox", "--install", "-s", "/bin"]' 'CMD ["sh"]' >"$ctx/Dockerfile"
    podman build -q -t "$IMAGE" "$ctx" >/dev/null
    rm -rf "$ctx"
  fi
  # `docker save` of a local image records it as localhost/<name> in some versions: make sure the
  # short name resolves the same way a Docker client expects.
  podman image exists "$IMAGE" || podman tag "localhost/$IMAGE" "$IMAGE"
}

stop_service() {
  if pid="$(running_pid)"; then
    log "stopping service (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  else
    log "no service started by this script is running"
  fi
  rm -f "$PIDFILE" "$SOCK"
  # Podman has no daemon owning the containers: each keeps its conmon after the service stops.
  if command -v podman >/dev/null 2>&1; then
    local left
    left="$(podman ps -q 2>/dev/null | wc -l)"
    [ "$left" = 0 ] || log "$left Podman container(s) still running (CONTAINERS_CONF=$CONF podman ps): remove them with podman rm -f"
  fi
  # Exec sessions' conmon processes linger for exit_command_delay after the session ended.
  local pids
  for _ in $(seq 1 $((EXEC_EXIT_DELAY * 2 + 10))); do
    pids="$(exec_conmon_pids)"
    [ -z "$pids" ] && return 0
    sleep 0.5
  done
  log "exec conmon processes still running: $(echo $pids) (they exit by themselves; a service started before exit_command_delay was set keeps Podman's 300 s)"
}

# conmon processes of Podman exec sessions (their command line has --exec-attach).
exec_conmon_pids() {
  local pid
  for pid in $(pgrep -x conmon 2>/dev/null); do
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- '--exec-attach' && echo "$pid"
  done
  return 0
}

case "${1:-start}" in
  start)
    install_packages
    write_conf
    start_service
    load_base_image
    echo "DOCKER_HOST=unix://$SOCK"
    ;;
  stop)
    stop_service
    ;;
  status)
    if answers; then echo "DOCKER_HOST=unix://$SOCK"; else log "not answering on $SOCK"; exit 1; fi
    ;;
  *)
    log "usage: $0 [start|stop|status]"
    exit 2
    ;;
esac
