#!/usr/bin/env bash
# Print how long a fresh clone takes from `git clone` to answering 200 on / under `make run` (target < 180 s).
#
#   bench/fresh_clone.sh [--no-cache]
#
# It clones the repository's HEAD (committed work only) into a temporary directory, runs `make run` there on a free
# port, polls http://127.0.0.1:PORT/ until it answers 200, then stops the server and removes the directory.
# pip's cache makes this faster than on a new machine; --no-cache sets PIP_NO_CACHE_DIR=1 to measure without it.
set -euo pipefail

TARGET_SECONDS=180
TIMEOUT_SECONDS=900

case "${1:-}" in
    --no-cache) export PIP_NO_CACHE_DIR=1 ;;
    "") ;;
    *) echo "usage: $0 [--no-cache]" >&2; exit 2 ;;
esac

repo="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
workdir="$(mktemp -d -t microcred-fresh-clone-XXXXXX)"
server_pgid=""

cleanup() {
    if [[ -n "$server_pgid" ]]; then
        kill -TERM -- "-$server_pgid" 2>/dev/null || true
        for _ in $(seq 1 20); do
            kill -0 -- "-$server_pgid" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL -- "-$server_pgid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT

# A clean measurement: none of the caller's settings or make variables reach the clone.
for var in $(compgen -e | grep '^MICROCRED_' || true); do
    unset "$var"
done
unset MAKEFLAGS MFLAGS MAKELEVEL

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

echo "fresh clone: git clone of $repo at $(git -C "$repo" rev-parse --short HEAD), then make run PORT=$port"
if [[ -n "${PIP_NO_CACHE_DIR:-}" ]]; then
    echo "PIP_NO_CACHE_DIR=$PIP_NO_CACHE_DIR: pip does not use its cache"
else
    echo "PIP_NO_CACHE_DIR is not set: pip's cache may make this faster than on a new machine (try --no-cache)"
fi

SECONDS=0
started=$EPOCHREALTIME
git clone --quiet "$repo" "$workdir/microcred"
cloned=$EPOCHREALTIME
if [[ ! -f "$workdir/microcred/Makefile" ]]; then
    echo "HEAD has no Makefile (not committed yet?): this benchmark measures committed work only." >&2
    exit 1
fi

# setsid puts make, gunicorn and its workers in one process group, so cleanup can stop them all.
(cd "$workdir/microcred" && exec setsid make run PORT="$port") >"$workdir/run.log" 2>&1 &
server_pid=$!
server_pgid="$server_pid"

status=""
while :; do
    status="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" || true)"
    [[ "$status" == "200" ]] && break
    if ! kill -0 "$server_pid" 2>/dev/null || ((SECONDS > TIMEOUT_SECONDS)); then
        echo "make run did not answer 200 on / (last status: ${status:-none}); the end of its output:" >&2
        tail -n 40 "$workdir/run.log" >&2
        exit 1
    fi
    sleep 0.5
done
answered=$EPOCHREALTIME

awk -v s="$started" -v c="$cloned" -v a="$answered" -v t="$TARGET_SECONDS" 'BEGIN {
    total = a - s
    printf "git clone:                  %7.1f s\n", c - s
    printf "make run until / is 200:    %7.1f s\n", a - c
    printf "total:                      %7.1f s\n", total
    printf "target: total < %d s: %s\n", t, (total < t ? "met" : "MISSED")
}'
