# Sourced by ./run: keep a background process (the worker, the clock) running.
#
#   supervise NAME COMMAND [ARGS...]
#
# Runs COMMAND; when it exits without having been asked to stop, says so loudly and starts
# it again after a pause that doubles with each crash in a row (1 s, 2 s, 4 s ... up to
# SUPERVISE_MAX_BACKOFF, 60 s), back to the first pause once a run lasted
# SUPERVISE_STABLE_SECONDS (60 s). TERM or INT stops COMMAND (TERM, then waits for it)
# and returns. Meant to run in the background: `supervise worker cmd... &`.
#
# COMMAND runs in a session of its own, so the terminal's Ctrl-C reaches only ./run, which
# stops each supervisor with TERM: a process stopped on purpose is never taken for a crash.
# Being out of ./run's process group, COMMAND would outlive a supervisor killed outright
# (kill -9, the OOM killer): where util-linux's setpriv is there (Linux), COMMAND gets TERM
# when its supervisor dies, so no worker or clock is left running unowned.

supervise() {
  local name="$1"
  shift
  local first_backoff="${SUPERVISE_BACKOFF:-1}"
  local max_backoff="${SUPERVISE_MAX_BACKOFF:-60}"
  local stable="${SUPERVISE_STABLE_SECONDS:-60}"
  local backoff="$first_backoff" child="" pause="" started status
  local stopping=0

  # shellcheck disable=SC2317  # Called by the trap.
  _supervise_stop() {
    stopping=1
    if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; fi
    if [ -n "$pause" ]; then kill "$pause" 2>/dev/null || true; fi
  }
  trap _supervise_stop TERM INT

  local launch=()
  if command -v setsid >/dev/null 2>&1; then launch+=(setsid); fi
  if command -v setpriv >/dev/null 2>&1 && setpriv --pdeathsig TERM true 2>/dev/null; then
    launch+=(setpriv --pdeathsig TERM --)
  fi

  while :; do
    started=$SECONDS
    ${launch[@]+"${launch[@]}"} "$@" &
    child=$!
    status=0
    # `wait` returns early when a trapped signal arrives; wait again for the child to end.
    wait "$child" || status=$?
    while kill -0 "$child" 2>/dev/null; do wait "$child" || status=$?; done
    child=""
    if [ "$stopping" = 1 ]; then
      return 0
    fi
    if [ $((SECONDS - started)) -ge "$stable" ]; then backoff="$first_backoff"; fi
    printf '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' >&2
    printf '!!! %s %s exited with status %s after %s s; restarting in %s s\n' \
      "$(date '+%Y-%m-%d %H:%M:%S')" "$name" "$status" "$((SECONDS - started))" "$backoff" >&2
    printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n' >&2
    sleep "$backoff" &
    pause=$!
    wait "$pause" || true
    pause=""
    if [ "$stopping" = 1 ]; then
      return 0
    fi
    backoff=$((backoff * 2))
    if [ "$backoff" -gt "$max_backoff" ]; then backoff="$max_backoff"; fi
  done
}
