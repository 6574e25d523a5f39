#!/usr/bin/env bash
# Installs the system packages Kelas needs to build and test, and any named as arguments (the browser tests add
# chromium, chromium-driver, python3-selenium). Idempotent: installs only what is missing.
# As root it runs apt-get; otherwise it prints the command to run.
set -euo pipefail

packages=(libcurl4-openssl-dev libsqlite3-dev pkg-config python3 "$@")
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: missing system packages: ${missing[*]}" >&2
    echo "setup: run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: no Swift toolchain on PATH; install Swift 6.0 or later (swift.org) and try again" >&2
  exit 1
fi
