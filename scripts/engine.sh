#!/usr/bin/env bash
# Make sure a Docker engine answers on this machine.
# Installs Debian's docker.io (+ busybox-static, iptables, docker-registry for the pull tests, and
# podman for the Podman test) when missing, starts dockerd in the
# background when `docker info` fails, and waits until it answers. Safe to run repeatedly.
set -euo pipefail

log() { printf 'engine: %s\n' "$*" >&2; }

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx httpd || need+=(busybox-static)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
# the swarm lab (scripts/swarm-lab.sh) puts daemons in network namespaces: ip (iproute2), nsenter/unshare (util-linux)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v nsenter >/dev/null 2>&1 && command -v unshare >/dev/null 2>&1 || need+=(util-linux)
# the pull tests serve images from a throw-away local registry
command -v docker-registry >/dev/null 2>&1 || [ -x /usr/bin/docker-registry ] || need+=(docker-registry)
# test/e2e/podman.test.ts runs Flotilla against a throwaway Podman service (its own socket and storage;
# dockerd is not touched): podman, catatonit for `init: true`, netavark + aardvark-dns for networks and DNS
command -v podman >/dev/null 2>&1 || need+=(podman)
[ -x /usr/bin/catatonit ] || need+=(catatonit)
[ -x /usr/lib/podman/netavark ] || need+=(netavark)
[ -x /usr/lib/podman/aardvark-dns ] || need+=(aardvark-dns)
# `convert --to kustomize` is checked by rendering it with kubectl (offline)
command -v kubectl >/dev/null 2>&1 || need+=(kubernetes-client)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "missing ${need[*]} and not root: install them or start an engine yourself"
    exit 1
  fi
  log "installing ${need[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if docker info >/dev/null 2>&1; then
  log "engine already answering"
  exit 0
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  log "starting dockerd (log: /tmp/dockerd.log)"
  nohup dockerd >/tmp/dockerd.log 2>&1 &
fi

for _ in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then
    log "engine ready ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
    exit 0
  fi
  sleep 0.5
done
log "dockerd did not answer within 60 s; last lines of /tmp/dockerd.log:"
tail -n 20 /tmp/dockerd.log >&2 || true
exit 1
