# Sourced by the scripts: Maven 3.8 prints colour resets (ESC[0m) even with -q -B -Dstyle.color=never; its jansi
# stops that with jansi.noreset. Set for the scripts' own Maven runs (and what those start, e.g. the tests'
# JVMs), never exported to the script itself: the demo's and the bench's crac-dev would carry it into the
# image fingerprint (the environment is part of it) and rebuild your templates once.
mvn() { MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true" command mvn "$@"; }
