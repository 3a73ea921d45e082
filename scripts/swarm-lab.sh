#!/usr/bin/env bash
# A throwaway Docker Swarm on this machine, for tests and for trying `flotilla stack`.
#
#   scripts/swarm-lab.sh up [--nodes N] [--registry] [--dir DIR] [--image REF]...
#   scripts/swarm-lab.sh down DIR
#
# `up` starts N dockerd (node 1 is the manager, the others workers), each in a network namespace
# of its own (entered with `nsenter --net`, never `ip netns exec`: that remounts /sys and dockerd
# dies), with its own socket, data root, exec root, pidfile, managed containerd, config file and
# cgroup parent, and `--iptables=false`. The nodes are joined by veth pairs to a bridge that lives
# in one more namespace (a bridge in the host namespace drops their traffic: br_netfilter + the
# main daemon's FORWARD DROP). With --registry, Debian's docker-registry serves on the bridge
# address (10.213.0.1:5000), every daemon trusts it (--insecure-registry), and the images are
# pushed there; without it they are copied into every node (docker save | docker load).
# It writes DIR/env (LAB_DIR, DOCKER_HOST of the manager, LAB_NODES, LAB_SOCKETS, LAB_REGISTRY,
# LAB_IMAGES) and prints its path on the last line of stdout.
#
# `down` stops the daemons by PID, waits until they are gone (reading /proc/PID/stat: PID 1 here
# reaps slowly, so a zombie counts as gone), removes the namespaces (with their veths and the
# bridge), unmounts what is left under DIR, removes DIR, and checks that no `docker_gwbridge` was
# left in the host namespace. It never touches the machine's main daemon or docker0.
set -euo pipefail

SUBNET_PREFIX=10.213.0
log() { printf 'swarm-lab: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Whether PID is alive (a zombie is not).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  # field 3, after the parenthesised command name
  stat=${stat##*) }
  [ "${stat%% *}" != Z ] && [ "${stat%% *}" != X ]
}

wait_gone() { # PID SECONDS
  local i
  for i in $(seq 1 $(($2 * 10))); do alive "$1" || return 0; sleep 0.1; done
  return 1
}

dockerc() { # SOCKET args...
  local sock=$1; shift
  DOCKER_HOST="unix://$sock" docker "$@"
}

usage() { sed -n '2,8p' "$0" >&2; exit 2; }

cmd_up() {
  local nodes=1 registry=0 dir="" images=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --nodes) nodes=$2; shift 2 ;;
      --nodes=*) nodes=${1#*=}; shift ;;
      --registry) registry=1; shift ;;
      --dir) dir=$2; shift 2 ;;
      --image) images+=("$2"); shift 2 ;;
      *) usage ;;
    esac
  done
  [ "${#images[@]}" -gt 0 ] || images=(flotilla-busybox:latest)
  [ "$(id -u)" = 0 ] || die "needs root (network namespaces, dockerd)"
  for tool in ip nsenter unshare dockerd docker; do command -v "$tool" >/dev/null || die "missing $tool (scripts/engine.sh installs it)"; done
  [ "$registry" = 0 ] || command -v docker-registry >/dev/null || [ -x /usr/bin/docker-registry ] || die "missing docker-registry (apt-get install docker-registry)"
  for img in "${images[@]}"; do docker image inspect "$img" >/dev/null 2>&1 || die "image $img is not on the main engine (scripts/base-image.sh builds flotilla-busybox)"; done

  local t0; t0=$(now)
  if [ -z "$dir" ]; then dir=$(mktemp -d /tmp/flsw.XXXXXX); else mkdir -p "$dir"; fi
  dir=$(cd "$dir" && pwd)
  local tag; tag=$(basename "$dir" | tr -cd 'a-zA-Z0-9' | tail -c 8)
  local brns="flsw-$tag-br"
  local gw_before=0
  ip link show docker_gwbridge >/dev/null 2>&1 && gw_before=1
  : >"$dir/pids"
  : >"$dir/netns"
  echo "$gw_before" >"$dir/gwbridge-before"
  # On any failure from here on, tear down what was made.
  trap 'log "setup failed; tearing down"; cmd_down "$dir" >&2 || true' ERR

  ip netns add "$brns"
  echo "$brns" >>"$dir/netns"
  nsenter --net="/run/netns/$brns" ip link add br0 type bridge
  nsenter --net="/run/netns/$brns" ip addr add "$SUBNET_PREFIX.1/24" dev br0
  nsenter --net="/run/netns/$brns" ip link set br0 up
  nsenter --net="/run/netns/$brns" ip link set lo up

  local reg_addr="$SUBNET_PREFIX.1:5000"
  if [ "$registry" = 1 ]; then
    mkdir -p "$dir/registry"
    cat >"$dir/registry/config.yml" <<EOF
version: 0.1
storage:
  filesystem:
    rootdirectory: $dir/registry/data
  delete:
    enabled: true
http:
  addr: $reg_addr
log:
  level: warn
EOF
    nsenter --net="/run/netns/$brns" setsid docker-registry serve "$dir/registry/config.yml" >"$dir/registry/log" 2>&1 </dev/null &
    echo "$! registry" >>"$dir/pids"
  fi

  local i sockets=() addrs=()
  for i in $(seq 1 "$nodes"); do
    local ns="flsw-$tag-n$i" addr="$SUBNET_PREFIX.$((i + 1))" nd="$dir/n$i"
    ip netns add "$ns"
    echo "$ns" >>"$dir/netns"
    ip link add eth0 netns "$ns" type veth peer name "v$i" netns "$brns"
    nsenter --net="/run/netns/$brns" ip link set "v$i" master br0 up
    nsenter --net="/run/netns/$ns" ip addr add "$addr/24" dev eth0
    nsenter --net="/run/netns/$ns" ip link set eth0 up
    nsenter --net="/run/netns/$ns" ip link set lo up
    mkdir -p "$nd/data" "$nd/exec"
    printf '{}\n' >"$nd/daemon.json"
    # A UTS namespace of its own so each node has its own hostname (docker node ls, placement).
    unshare --uts sh -c "hostname lab$tag-n$i && exec nsenter --net=/run/netns/$ns dockerd \
        -H unix://$nd/d.sock --pidfile $nd/d.pid --data-root $nd/data --exec-root $nd/exec \
        --config-file $nd/daemon.json --cgroup-parent /flsw-$tag-n$i --iptables=false \
        --insecure-registry $reg_addr --log-level warn" >"$nd/log" 2>&1 </dev/null &
    echo "$! n$i" >>"$dir/pids"
    sockets+=("$nd/d.sock")
    addrs+=("$addr")
  done
  for i in $(seq 1 "$nodes"); do
    local ok=0 _
    for _ in $(seq 1 200); do
      if dockerc "${sockets[$((i - 1))]}" version >/dev/null 2>&1; then ok=1; break; fi
      sleep 0.1
    done
    [ "$ok" = 1 ] || { tail -n 20 "$dir/n$i/log" >&2; die "node $i did not answer within 20 s (log above)"; }
  done
  log "daemons up in $(elapsed "$t0") s"

  local mgr=${sockets[0]}
  dockerc "$mgr" swarm init --advertise-addr "${addrs[0]}" --listen-addr "${addrs[0]}:2377" >/dev/null
  if [ "$nodes" -gt 1 ]; then
    local token; token=$(dockerc "$mgr" swarm join-token -q worker)
    local joins=()
    for i in $(seq 2 "$nodes"); do
      dockerc "${sockets[$((i - 1))]}" swarm join --token "$token" --advertise-addr "${addrs[$((i - 1))]}" "${addrs[0]}:2377" >/dev/null &
      joins+=("$!")
    done
    # (a bare `wait` would wait for the daemons too)
    for p in "${joins[@]}"; do wait "$p"; done
  fi
  log "swarm of $nodes node(s) formed at $(elapsed "$t0") s"

  local lab_images=()
  if [ "$registry" = 1 ]; then
    # The host cannot reach the lab network: load into the manager, push from there, pin by digest.
    for img in "${images[@]}"; do
      docker save "$img" | dockerc "$mgr" load -q >/dev/null
      local name=${img%:*} tagpart=${img##*:}
      [ "$name" != "$img" ] || tagpart=latest
      local remote="$reg_addr/${name##*/}:$tagpart"
      dockerc "$mgr" tag "$img" "$remote"
      local _r
      for _r in $(seq 1 50); do dockerc "$mgr" push -q "$remote" >/dev/null 2>&1 && break; sleep 0.1; done
      local digest; digest=$(dockerc "$mgr" image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$remote" | grep "^$reg_addr/" | head -n1)
      [ -n "$digest" ] || die "pushing $img to the lab registry failed"
      lab_images+=("$digest")
    done
  else
    for img in "${images[@]}"; do
      local loads=()
      for s in "${sockets[@]}"; do docker save "$img" | dockerc "$s" load -q >/dev/null & loads+=("$!"); done
      for p in "${loads[@]}"; do wait "$p"; done
      lab_images+=("$img")
    done
  fi

  # Wait until every node is Ready (workers report in a moment after joining).
  local ready=0 _
  for _ in $(seq 1 100); do
    ready=$(dockerc "$mgr" node ls --format '{{.Status}}' | grep -c '^Ready$' || true)
    [ "$ready" = "$nodes" ] && break
    sleep 0.1
  done
  [ "$ready" = "$nodes" ] || die "only $ready of $nodes nodes are Ready"

  {
    echo "LAB_DIR=$dir"
    echo "DOCKER_HOST=unix://$mgr"
    echo "LAB_NODES=$nodes"
    echo "LAB_SOCKETS=\"${sockets[*]}\""
    echo "LAB_ADDRS=\"${addrs[*]}\""
    if [ "$registry" = 1 ]; then echo "LAB_REGISTRY=$reg_addr"; else echo "LAB_REGISTRY="; fi
    echo "LAB_IMAGES=\"${lab_images[*]}\""
    echo "LAB_SETUP_SECONDS=$(elapsed "$t0")"
  } >"$dir/env"
  trap - ERR
  log "ready in $(elapsed "$t0") s: . $dir/env (DOCKER_HOST=unix://$mgr)"
  echo "$dir/env"
}

cmd_down() {
  local dir=${1:-}
  [ -n "$dir" ] && [ -d "$dir" ] || die "usage: $0 down DIR (the directory \`up\` printed)"
  dir=$(cd "$dir" && pwd)
  [ -f "$dir/pids" ] || die "$dir is not a swarm-lab directory (no pids file)"
  local t0; t0=$(now)
  # Containers first, killed (a task's grace period would hold the daemon's shutdown for 10 s).
  local sock
  for sock in "$dir"/n*/d.sock; do
    [ -S "$sock" ] || continue
    ( ids=$(DOCKER_HOST="unix://$sock" timeout 5 docker ps -q 2>/dev/null) && [ -n "$ids" ] && DOCKER_HOST="unix://$sock" timeout 10 docker kill $ids >/dev/null 2>&1 ) || true &
  done
  wait
  local pid what pids=()
  while read -r pid what; do
    [ -n "$pid" ] || continue
    pids+=("$pid")
    alive "$pid" && kill -TERM "$pid" 2>/dev/null || true
  done <"$dir/pids"
  for pid in "${pids[@]}"; do
    if ! wait_gone "$pid" 20; then
      log "pid $pid still running after 20 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 5 || log "pid $pid did not exit"
    fi
  done
  # What the daemons left running (containerd, shims): by PID, found through the lab directory in
  # their command line; and the `runc init` of a task a daemon was starting as it stopped, which outlives
  # its shim: found by its cgroup, named after a container of a lab node's data root.
  local p cmd id left=()
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" != $$ ] || continue
    cmd=$({ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null) || continue
    if printf '%s' "$cmd" | grep -qF "$dir/"; then left+=("$p"); continue; fi
    [ "$cmd" = "runc init " ] || continue
    id=$(sed -n 's|.*/docker/\([0-9a-f]\{64\}\)$|\1|p' "/proc/$p/cgroup" 2>/dev/null | head -n 1)
    [ -n "$id" ] && compgen -G "$dir/n*/data/containers/$id" >/dev/null && left+=("$p")
  done
  if [ "${#left[@]}" -gt 0 ]; then
    for p in "${left[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${left[@]}"; do wait_gone "$p" 5 || kill -KILL "$p" 2>/dev/null || true; done
  fi
  # Mounts the daemons left under the lab directory (overlay layers, netns bind mounts), deepest first.
  local m
  awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
  local ns
  if [ -f "$dir/netns" ]; then
    while read -r ns; do
      [ -n "$ns" ] || continue
      ip netns del "$ns" 2>/dev/null || true
    done <"$dir/netns"
  fi
  local gw_before; gw_before=$(cat "$dir/gwbridge-before" 2>/dev/null || echo 0)
  rm -rf "$dir"
  log "down in $(elapsed "$t0") s"
  if [ "$gw_before" = 0 ] && ip link show docker_gwbridge >/dev/null 2>&1; then
    die "a docker_gwbridge is left in the host namespace (a lab daemon ran outside its namespace?)"
  fi
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) shift; cmd_down "$@" ;;
  *) usage ;;
esac
