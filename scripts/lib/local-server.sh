# scripts/lib/local-server.sh: what scripts/kafka-local and scripts/clickhouse-local share. Sourced, not run.
# The script that sources it sets NAME (the prefix of its messages), HOST and STOP_TIMEOUT first.

msg() { printf '[%s] %s\n' "$NAME" "$*" >&2; }
die() { msg "ERROR: $*"; exit 1; }

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

abspath() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }

now() { date +%s; }
now_ms() { date +%s%3N; }
since() { local d=$(( $(now_ms) - $1 )); printf '%d.%d s' $(( d / 1000 )) $(( d % 1000 / 100 )); }

# Is something accepting TCP connections on $HOST:$1?
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }

who_listens() { command -v ss >/dev/null 2>&1 && ss -ltnpH "sport = :$1" 2>/dev/null | head -n3 || true; }

# Run a command holding an exclusive lock on a file (serialises concurrent starts and provisions).
# The lock fd must not leak into the server (it would hold the lock for its lifetime): a start closes
# $LOCK_FD in the subshell that execs the server.
LOCK_FD=
with_lock() {
  local lockfile=$1; shift
  mkdir -p "$(dirname "$lockfile")"
  if command -v flock >/dev/null 2>&1; then
    exec {LOCK_FD}>"$lockfile"
    if ! flock -w 300 "$LOCK_FD"; then die "could not lock $lockfile within 300 s (another $NAME running?)"; fi
    # No `|| rc=$?` here: that would switch off `set -e` inside "$@". A failure exits the script,
    # and the kernel drops the lock with the process.
    "$@"
    flock -u "$LOCK_FD"; exec {LOCK_FD}>&-
    LOCK_FD=
  else
    "$@"
  fi
}

# Alive and not a zombie waiting to be reaped by whoever adopted it.
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local state=""
  [[ -r "/proc/$1/stat" ]] && state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
  [[ "$state" != Z ]]
}

# SIGTERM, wait up to STOP_TIMEOUT, then SIGKILL.
kill_pid() {
  local pid=$1 deadline
  kill -TERM "$pid" 2>/dev/null || return 0
  deadline=$(( $(now) + STOP_TIMEOUT ))
  while alive "$pid"; do
    if (( $(now) >= deadline )); then
      msg "pid $pid still alive after ${STOP_TIMEOUT} s; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$(( $(now) + 60 ))  # a process in uninterruptible I/O (a loaded disk) can take a while to go
      while alive "$pid" && (( $(now) < deadline )); do sleep 0.2; done
      break
    fi
    sleep 0.2
  done
}

# Delete a data dir (after `stop`), refusing the obviously wrong ones.
delete_data_dir() {
  case "$1" in
    ""|/|"$REPO_ROOT"|"$HOME") die "refusing to delete '$1'" ;;
  esac
  if [[ -e "$1" ]]; then
    rm -rf "$1"
    msg "deleted data dir $1"
  else
    msg "data dir $1 did not exist"
  fi
}

# The script's header comment, as its help.
usage() {
  sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//' >&2
}
