#!/usr/bin/env bash
# Sourced by ./moescope and ./run-tests: exports JAVA_HOME pointing at a JDK >= 21.
# Order: $JAVA_HOME, `javac` on PATH, then every JDK under /usr/lib/jvm (newest first).

moescope_jdk_major() {
  # Prints the major version of the JDK at $1, or nothing when $1 is not a JDK.
  [ -x "$1/bin/javac" ] && [ -x "$1/bin/java" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -1
}

moescope_find_jdk() {
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for c in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do candidates+=("${c%/}"); done
  for c in "${candidates[@]}"; do
    major=$(moescope_jdk_major "$c")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      export JAVA_HOME="$c"
      return 0
    fi
  done
  {
    echo "MoEScope needs a JDK 21 or newer (javac and java), and none was found."
    echo "Looked at: \$JAVA_HOME (${JAVA_HOME:-unset}), javac on PATH, /usr/lib/jvm/*."
    echo "Install one (Debian: apt-get install openjdk-21-jdk-headless, or a Temurin JDK) or set JAVA_HOME."
  } >&2
  return 1
}
