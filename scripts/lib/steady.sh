# Sourced by the bench scripts (needs $jar): wait until a running supervisor has its next generation prepared.
status_next() { # DIR: what `crac-dev status` in DIR says of the next generation
  (cd "$1" && java -jar "$jar" status --json 2>/dev/null) | sed -nE 's/.*"next":"([^"]*)".*/\1/p'
}
steady() { # VARIANT DIR: until a change would find the variant prepared (cold and DevTools: 3 s to settle)
  local want
  case $1 in
    criu*) want="restored ahead" ;;
    standby*) want="standby parked" ;;
    *) sleep 3; return 0 ;;
  esac
  for _ in $(seq 600); do [ "$(status_next "$2")" = "$want" ] && return 0; sleep 0.2; done
  echo "$1: the next generation was never prepared (600 polls of crac-dev status; no readiness found?)" >&2
  return 1
}
