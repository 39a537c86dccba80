#!/usr/bin/env bash
# Long-session benchmark: drives the real app window headless (Monocle) through many decode steps with profiling on,
# on a synthetic tiny model, and prints RSS, heap and FX delay every few seconds. Not part of the tests.
#   scripts/long-session.sh [--seconds 180] [--steps 300000] [--context 16384] [--device java] [--sample 10]
# Environment: MOESCOPE_STEP_WINDOW (steps kept in full, default 4096), LONG_SESSION_XMX (heap limit, default 1g),
# nice'd so it does not take a shared machine from others.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/find-jdk.sh"
moescope_find_jdk
cd "$root"
cp_file="$root/app/target/long-session.classpath"
mvn -o -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$cp_file" -pl app -am
prefs=$(mktemp -d)
trap 'rm -rf "$prefs"' EXIT
nice -n 10 "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xss4m -Xmx"${LONG_SESSION_XMX:-1g}" \
  -Dmoescope.home="$root" -Djava.util.prefs.userRoot="$prefs" \
  -Dtestfx.headless=true -Dprism.order=sw -Dprism.text=t2k -Dglass.platform=Monocle -Dmonocle.platform=Headless \
  -Dheadless.geometry=1600x1000-32 -Djava.awt.headless=true \
  -cp "app/target/test-classes:app/target/classes:$(cat "$cp_file")" \
  org.moescope.app.bench.LongSessionBenchmark "$@"
