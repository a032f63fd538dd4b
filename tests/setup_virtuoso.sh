#!/usr/bin/env bash
# Install Virtuoso Open Source (Debian's virtuoso-opensource) for the remote-store tests.
# Idempotent and quiet: does nothing when virtuoso-t is already on PATH.
# The package's own system service is never started: the tests run their own server
# (tests/virtuoso.py) on free ports with a temporary database.
set -euo pipefail

if command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; then
    exit 0
fi

if [ "$(id -u)" != "0" ]; then
    SUDO=sudo
else
    SUDO=
fi

export DEBIAN_FRONTEND=noninteractive
# An empty DBA password makes the package leave its daemon disabled instead of asking.
echo "virtuoso-opensource-7 virtuoso-opensource-7/dba-password password" | $SUDO debconf-set-selections
echo "virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password" | $SUDO debconf-set-selections

# Keep the package's post-install from starting the system service (as Docker images do).
POLICY=/usr/sbin/policy-rc.d
MADE_POLICY=
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
    $SUDO chmod +x "$POLICY"
    MADE_POLICY=1
fi
LOG=$(mktemp)
cleanup() {
    if [ -n "$MADE_POLICY" ]; then $SUDO rm -f "$POLICY"; fi
    rm -f "$LOG"
}
trap cleanup EXIT

# Quiet when it works; the whole apt output when it does not.
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends virtuoso-opensource; } >"$LOG" 2>&1; then
    cat "$LOG" >&2
    echo "setup_virtuoso.sh: installing virtuoso-opensource failed" >&2
    exit 1
fi

command -v virtuoso-t >/dev/null 2>&1 || { echo "setup_virtuoso.sh: virtuoso-t still not on PATH" >&2; exit 1; }
