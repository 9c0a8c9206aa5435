#!/usr/bin/env bash
# Installs what Berth needs and is missing: Debian packages (runc, conmon, busybox-static,
# redis-server, and golang-github-containers-common for the default seccomp profile,
# /usr/share/containers/seccomp.json; with --test also crun and criu, whose failures on this host the tests check, skopeo, docker-registry and attr (the image tests: a loopback registry, whiteout xattrs),
# docker-compose, which validates docker-compose.yml, and chromium for the inspector's browser
# tests: Debian's, never a downloaded one) and the npm packages. Safe to run
# again: it only installs what is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

want=(runc conmon busybox-static redis-server golang-github-containers-common)
[[ "${1:-}" == "--test" ]] && want+=(crun criu docker-compose chromium skopeo docker-registry attr)
# the benchmark compares with Podman (with its recommended packages: netavark, slirp4netns, …) and
# Docker (docker.io: dockerd + containerd, started privately by the bench, never as a service)
[[ "${1:-}" == "--bench" ]] && want+=(podman docker.io)

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "berth: missing Debian packages: ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "berth: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  if [[ "${1:-}" == "--bench" ]]; then
    apt-get install -y -qq "${missing[@]}" >&2
  else
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
  # Debian starts a system redis-server on 6379; Berth runs its own, so leave the system one be.
fi

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "berth: installing npm packages" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
