# Shared by the bootstrap stand-ins: every call is appended to $FAKE_CALLS as one line, "<tool> <args...>".
# $FAKE_FAIL makes the call whose line starts with it fail like the real tool does; $FAKE_STATE holds what the
# stand-ins remember between calls (and between runs of the script).
# shellcheck shell=bash

record() {
  printf '%s\n' "$*" >>"$FAKE_CALLS"
  if [ -n "${FAKE_FAIL:-}" ] && [[ "$*" == "$FAKE_FAIL"* ]]; then
    printf 'error: injected failure of: %s\n' "$FAKE_FAIL" >&2
    exit 1
  fi
}

real() { PATH=/usr/bin:/bin command "$@"; }

# Value of --NAME in the remaining arguments ("--name value" or "--name=value").
flag() {
  local want=$1
  shift
  while [ $# -gt 0 ]; do
    case $1 in
      "--$want") printf '%s' "${2:-}"; return 0 ;;
      "--$want="*) printf '%s' "${1#*=}"; return 0 ;;
    esac
    shift
  done
  return 1
}

key() { printf '%s' "$1" | tr '/' '_'; }

now_ms() { date +%s%3N; }

# Fails like cobra ("Error: unknown flag: --x") when a `kubectl karmada <subcommand>` flag is not in the v1.18.2
# flag list (tests/data/karmadactl-v1.18.2-flags.txt).
check_flags() {
  local sub=$1 list
  shift
  list=$(dirname "$0")/../karmadactl-v1.18.2-flags.txt
  for a in "$@"; do
    case $a in
      --*)
        if ! grep -qxF "$sub ${a%%=*}" "$list"; then
          echo "Error: unknown flag: ${a%%=*}" >&2
          exit 1
        fi
        ;;
    esac
  done
}

# Ready once its ready-at time (ms) has passed, unless marked never-ready.
member_ready() {
  local f=$FAKE_STATE/joined/$1 at
  [ -f "$f" ] || return 1
  [ ! -f "$FAKE_STATE/never-ready/$1" ] || return 1
  IFS='|' read -r _ _ at <"$f"
  [ "$(now_ms)" -ge "$at" ]
}
