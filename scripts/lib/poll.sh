# Polling helpers shared by scripts/demo and the benchmarks (sourced, not run). They use bash builtins only:
# polling every few ms with curl (a fork and exec each time) took CPU from the app starting on 2 cores and
# added ~130 ms to every number, and a $(...) every 5 ms took another ~0.4 s off the app's start.

trap '' PIPE # an app that resets a connection while we write must fail that write, not end the script

exec {pause_fd}<> <(:) # a pipe nobody writes to: 'read -t' on it is a sleep without starting a process
pause() { read -rt "$1" -u "$pause_fd" || true; }

answer() { # [PORT]: GET / on localhost ($port by default); sets $reply to the response, empty if none
  reply=""
  { exec 3<>"/dev/tcp/127.0.0.1/${1:-$port}"; } 2>/dev/null || return 0
  printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3 2>/dev/null || { exec 3>&-; return 0; }
  local line; while IFS= read -r -t 2 line <&3 2>/dev/null; do reply+="$line"$'\n'; done
  exec 3>&-
}
