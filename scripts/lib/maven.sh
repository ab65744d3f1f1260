# Sourced by the scripts: Maven 3.8 prints colour resets (ESC[0m) even with -q -B -Dstyle.color=never; its jansi
# stops that with jansi.noreset. Only for our own mvn calls: exported, MAVEN_OPTS would reach the apps and JVMs
# crac-dev starts, and with them the image fingerprint (the environment is part of it).
mvn() { MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true" command mvn "$@"; }
