#!/usr/bin/env bash
# Build the local busybox base image used by fixtures, tests and examples (nothing is pulled).
# Usage: scripts/base-image.sh [name]   (default: flotilla-busybox:latest)
set -euo pipefail
name="${1:-flotilla-busybox:latest}"
if docker image inspect "$name" >/dev/null 2>&1; then
  exit 0
fi
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
cp /bin/busybox "$ctx/busybox"
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
CMD ["sh"]
DOCKERFILE
docker build -q -t "$name" "$ctx" >/dev/null
echo "built $name" >&2
