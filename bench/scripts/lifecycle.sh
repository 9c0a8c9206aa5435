#!/usr/bin/env bash
# The shell baselines of the throughput benchmark: COUNT containers through the full lifecycle
# (create, start, pause, unpause, kill, wait, rm), PARALLEL at a time (xargs -P), each container
# by one `lifecycle.sh one MODE NAME`.
#
#   lifecycle.sh MODE COUNT PARALLEL PREFIX
#
# MODE
#   runc    runc alone: `runc create` (stdio /dev/null) … `runc kill KILL`; runc reports no exit code,
#           so "wait" polls `runc state` until stopped; then `runc delete`.
#   conmon  conmon + runc the way Podman drives them: conmon runs `runc create` and reports the pid on
#           its sync pipe (_OCI_SYNCPIPE, a FIFO here), the script runs start/pause/resume/kill, waits
#           for conmon's exit file (the exit code) and runs `runc delete`. The floor for any
#           supervisor that records exit codes.
#   podman  the Podman CLI: podman --runtime runc create/start/pause/unpause/kill/wait/rm.
#   docker  the Docker CLI against the bench's private dockerd (DOCKER_HOST): the same verbs.
#
# Environment: BENCH_ROOT (runc --root), BENCH_STATE (bundles, exits, logs), BENCH_CONFIG (a
# config.json to copy into each bundle), BENCH_IMAGE and BENCH_NETWORK (podman), RUNC, CONMON,
# DOCKER (the CLI), DOCKER_HOST and BENCH_DOCKER_IMAGE (docker).
set -euo pipefail

RUNC=${RUNC:-/usr/sbin/runc}
CONMON=${CONMON:-/usr/bin/conmon}

if [[ ${1:-} != one ]]; then
  mode=$1 count=$2 parallel=$3 prefix=$4
  [[ $mode == podman || $mode == docker ]] || mkdir -p "$BENCH_STATE/bundles" "$BENCH_STATE/exits" "$BENCH_STATE/logs"
  seq -f "${prefix}%g" 1 "$count" | xargs -P "$parallel" -n 1 "$0" one "$mode"
  exit 0
fi

mode=$2 id=$3
# a sleep that forks nothing: a timed read on a pipe nobody writes to
exec {nap_fd}<> <(:)
nap() { read -r -t "$1" -u "$nap_fd" || :; }
r() { "$RUNC" --root "$BENCH_ROOT" "$@"; }

case $mode in
runc)
  b=$BENCH_STATE/bundles/$id
  mkdir -p "$b"
  cp "$BENCH_CONFIG" "$b/config.json"
  r create --bundle "$b" --pid-file "$b/pidfile" "$id" </dev/null >/dev/null 2>&1
  r start "$id"
  r pause "$id"
  r resume "$id"
  r kill "$id" KILL
  until [[ $(r state "$id") == *'"status": "stopped"'* ]]; do nap 0.002; done
  r delete "$id"
  rm -rf "$b"
  ;;
conmon)
  b=$BENCH_STATE/bundles/$id exits=$BENCH_STATE/exits
  mkdir -p "$b/persist"
  cp "$BENCH_CONFIG" "$b/config.json"
  mkfifo "$b/sync"
  _OCI_SYNCPIPE=3 "$CONMON" --api-version 1 -c "$id" -u "$id" -n "$id" -r "$RUNC" \
    --runtime-arg --root --runtime-arg "$BENCH_ROOT" \
    --runtime-arg --log --runtime-arg "$b/runc.log" --runtime-arg --log-format --runtime-arg json \
    -b "$b" -p "$b/pidfile" -l "k8s-file:$BENCH_STATE/logs/$id.log" --exit-dir "$exits" \
    --persist-dir "$b/persist" --full-attach --conmon-pidfile "$b/conmon.pid" \
    3>"$b/sync" </dev/null >/dev/null 2>&1 &
  spawned=$!
  read -r line <"$b/sync"
  wait "$spawned"
  [[ $line =~ \"data\":\ *[1-9] ]] || { echo "conmon create of $id failed: $line" >&2; exit 255; }
  rl() { r --log "$b/runc.log" --log-format json "$@"; }
  rl start "$id"
  rl pause "$id"
  rl resume "$id"
  rl kill "$id" KILL
  until [[ -e $exits/$id ]]; do nap 0.001; done
  code=$(<"$exits/$id")
  [[ $code == 137 ]] || { echo "$id exited with $code, not 137" >&2; exit 255; }
  rl delete "$id"
  rm -rf "$b" "$exits/$id" "$BENCH_STATE/logs/$id.log"
  ;;
podman)
  p() { podman --runtime runc "$@" >/dev/null; }
  p create --name "$id" --network "$BENCH_NETWORK" --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$BENCH_IMAGE" sleep 1000
  p start "$id"
  p pause "$id"
  p unpause "$id"
  p kill "$id"
  code=$(podman --runtime runc wait "$id")
  [[ $code == 137 ]] || { echo "$id exited with $code, not 137" >&2; exit 255; }
  p rm "$id"
  ;;
docker)
  d() { "$DOCKER" "$@" >/dev/null; }
  d create --name "$id" --network none --pids-limit 2048 "$BENCH_DOCKER_IMAGE" sleep 1000
  d start "$id"
  d pause "$id"
  d unpause "$id"
  d kill "$id"
  code=$("$DOCKER" wait "$id")
  [[ $code == 137 ]] || { echo "$id exited with $code, not 137" >&2; exit 255; }
  d rm "$id"
  ;;
*)
  echo "unknown mode $mode" >&2
  exit 255
  ;;
esac
