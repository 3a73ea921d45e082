#!/usr/bin/env bash
# Manual check: does Flotilla work against Podman's Docker-compatible API? (issue 3; docs/podman.md)
# Not part of `npm test` or CI: installing Podman takes minutes.
#
# Usage: scripts/podman-check.sh [--keep] [--e2e]
#   1. builds (tsc), starts Podman beside dockerd (scripts/podman.sh start),
#   2. runs the Engine contract suite against it (test/e2e/engine-contract.test.ts),
#   3. runs `up -d --wait`, `ps` (table and JSON), an HTTP request, `exec`, `port`, `logs`, `stop`,
#      `start`, `restart` and `down -v` of fixtures/example/compose.yaml,
#   4. with --e2e: runs the engine-backed e2e files against Podman too (minutes), in a private mount
#      namespace where /run/docker.sock is Podman's socket (tests that load a project with an empty
#      environment use the default socket); prints pass/fail per file (details: /tmp/flotilla-podman-e2e-*.log),
#   5. stops the Podman service again (unless --keep) and checks that `docker info` still answers.
# Exit status 0 when every step passed.
set -uo pipefail
cd "$(dirname "$0")/.."

keep=false
e2e=false
for arg in "$@"; do
  case "$arg" in
    --keep) keep=true ;;
    --e2e) e2e=true ;;
    *) echo "usage: $0 [--keep] [--e2e]" >&2; exit 2 ;;
  esac
done
failures=()
step() { printf '\n== %s\n' "$*" >&2; }
fail() { printf 'FAIL: %s\n' "$*" >&2; failures+=("$*"); }

step "build"
npx tsc -p . >/tmp/flotilla-podman-tsc.log 2>&1 || echo "(tsc reported errors; see /tmp/flotilla-podman-tsc.log — continuing with the emitted JS)" >&2

step "start podman"
host="$(bash scripts/podman.sh start)" || { echo "cannot start podman" >&2; exit 1; }
export "${host?}"
echo "$host" >&2

project="flotilla-podman-check-$$"
compose=(node bin/flotilla.js -p "$project" -f fixtures/example/compose.yaml --progress plain)
cleanup() {
  "${compose[@]}" down -v >/dev/null 2>&1 || true
  if ! $keep; then bash scripts/podman.sh stop; fi
  if docker --host unix:///var/run/docker.sock info >/dev/null 2>&1; then
    echo "dockerd still answers" >&2
  else
    echo "WARNING: dockerd does not answer on /var/run/docker.sock" >&2
  fi
}
trap cleanup EXIT

step "engine contract suite against $DOCKER_HOST"
FLOTILLA_EXPECT_FLAVOR=podman node --test dist/test/e2e/engine-contract.test.js >/tmp/flotilla-podman-contract.log 2>&1 \
  || fail "engine contract (details: /tmp/flotilla-podman-contract.log)"
grep -E '^# (pass|fail)' /tmp/flotilla-podman-contract.log >&2

step "up -d --wait / ps / exec / port / logs of fixtures/example"
# A free host port, so a Docker-side run of the example on 8088 does not collide.
WEB_PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
export WEB_PORT
if timeout 120 "${compose[@]}" up -d --wait; then
  ps_out="$("${compose[@]}" ps 2>&1)"
  echo "$ps_out" >&2
  echo "$ps_out" | grep -q "$project-api-1 .*(healthy)" || fail "ps: api is not shown (healthy)"
  echo "$ps_out" | grep -q "127.0.0.1:$WEB_PORT->80/tcp" || fail "ps: web does not show its published port"
  curl -fsS --max-time 5 "http://127.0.0.1:$WEB_PORT/" >/dev/null || fail "GET http://127.0.0.1:$WEB_PORT/ (web)"
  "${compose[@]}" ps --format json | grep -q '"Service":"api".*"Health":"healthy"' || fail "ps --format json: api is not healthy"
  [ "$("${compose[@]}" exec -T web wget -qO- http://api:9000/greeting 2>/dev/null)" = "Hello from Flotilla" ] \
    || fail "exec + service-name DNS: web cannot read http://api:9000/greeting"
  "${compose[@]}" exec -T api sh -c 'exit 3'; [ $? = 3 ] || fail "exec: exit code 3 not passed through"
  [ "$("${compose[@]}" port web 80)" = "127.0.0.1:$WEB_PORT" ] || fail "port web 80"
  "${compose[@]}" logs migrate 2>&1 | grep -q 'migrate-1 *| migrated' || fail "logs migrate"

  step "stop / start / restart"
  # Without stop_grace_period the containers get the stop signal first: exit 143 (SIGTERM via the
  # init process), not 137 (SIGKILL at once).
  "${compose[@]}" stop || fail "stop"
  ps_out="$("${compose[@]}" ps -a 2>&1)"
  echo "$ps_out" >&2
  echo "$ps_out" | grep -q "$project-web-1 .*Exited (143)" || fail "stop: web did not exit on SIGTERM (143)"
  "${compose[@]}" start || fail "start"
  "${compose[@]}" restart || fail "restart"
  [ "$("${compose[@]}" ps -q 2>/dev/null | wc -l)" = 2 ] || fail "start/restart: api and web are not both running"
  curl -fsS --max-time 5 --retry 10 --retry-connrefused --retry-delay 1 "http://127.0.0.1:$WEB_PORT/" >/dev/null \
    || fail "GET http://127.0.0.1:$WEB_PORT/ after restart"
else
  fail "up -d --wait"
fi

if $e2e; then
  step "engine-backed e2e files against Podman (private mount namespace)"
  files=(up-down deps networks recreate converge run secret-modes secrets-leak watch cli cli-verbs cli-more
         pre-start api-compose api-wait api-examples api-reaper concurrency-lock build-pull)
  sock="${DOCKER_HOST#unix://}"
  # shellcheck disable=SC2016
  unshare -m --propagation private bash -c '
    mount --bind "$1" /run/docker.sock || exit 9
    shift
    for f in "$@"; do
      start=$(date +%s)
      FLOTILLA_EXPECT_FLAVOR=podman timeout 600 node --test "dist/test/e2e/$f.test.js" >"/tmp/flotilla-podman-e2e-$f.log" 2>&1
      rc=$?
      printf "%-18s rc=%s %4ss %s
" "$f" "$rc" "$(( $(date +%s) - start ))" "$(grep -E "^# (pass|fail)" "/tmp/flotilla-podman-e2e-$f.log" | tr "
" " ")"
    done
  ' podman-e2e "$sock" "${files[@]}" | tee /tmp/flotilla-podman-e2e.txt >&2
  # Cases that fail on Podman for the reasons docs/podman.md gives (points 8, 19, 20, 22): Docker's
  # wording or semantics, or this sandbox. Any other failing case fails the check.
  known=(
    "services reach each other only over a shared network; aliases, a fixed address and internal work"
    "a network removed and created again under a stopped container: up recreates the container (compared by id)"
    "args (literal and from the environment) and .dockerignore reach the image"
    "from a local registry, and PULL_FAILED for an unreachable one"
  )
  while IFS= read -r case; do
    name="${case#*not ok * - }"
    if printf '%s\n' "${known[@]}" | grep -qxF -- "$name"; then
      echo "known Podman difference: $name" >&2
    else
      fail "e2e against Podman: $name"
    fi
  done < <(cat /tmp/flotilla-podman-e2e-*.log | grep -E '^    not ok [0-9]+ - ' | sed 's/ # .*$//')
  grep -E ' rc=(124|137|9) ' /tmp/flotilla-podman-e2e.txt >/dev/null && fail "an e2e file timed out or could not start (see /tmp/flotilla-podman-e2e.txt)"
fi

step "down -v"
"${compose[@]}" down -v || fail "down -v"
left="$("${compose[@]}" ps -a -q 2>/dev/null | wc -l)"
[ "$left" = 0 ] || fail "down -v left $left containers"

if [ "${#failures[@]}" -gt 0 ]; then
  printf '\n%d step(s) failed:\n' "${#failures[@]}" >&2
  printf '  - %s\n' "${failures[@]}" >&2
  exit 1
fi
printf '\nall Podman checks passed\n' >&2
