#!/usr/bin/env bash
# Takes the user guide's screenshots from the real app under Xvfb: scripts/screenshots.sh [MODEL] [DEVICE]
# (MODEL: folder or preset, default the bundled sample model; DEVICE: a selector such as 0 or java, default the
# first device listed: an OpenCL device when there is one). Writes docs/images/*.png.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/find-jdk.sh"
moescope_find_jdk
cd "$root"
# package (not "package test-compile": a second lifecycle pass resolves the engine to target/classes, and
# copy-dependencies then fails); -DskipTests still compiles the tests the tour runs from
mvn -B -q -ntp -DskipTests package -pl app -am
prefs=$(mktemp -d)
xvfb-run -a -s "-screen 0 1600x1000x24" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xss4m \
  -Dmoescope.home="$root" -Djava.util.prefs.userRoot="$prefs" ${TOUR_OPTS:-} \
  -cp "app/target/test-classes:app/target/classes:app/target/lib/*" \
  org.moescope.app.docs.ScreenshotTour docs/images "${1:-}" "${2:-}"
rm -rf "$prefs"
