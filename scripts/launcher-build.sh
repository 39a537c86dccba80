#!/usr/bin/env bash
# Sourced by ./moescope: decides whether the app must be (re)built before it runs.

moescope_needs_build() {
  # True when $1 (the repository root) has no complete app build: no app jar, no runtime libraries next to it
  # (a build stopped before copy-dependencies leaves the jar alone), no engine jar among them, or a source newer
  # than either jar.
  local root="$1" app_jar engine_jar newer
  app_jar=$(ls "$root"/app/target/moescope-app-*.jar 2>/dev/null | head -1 || true)
  engine_jar=$(ls "$root"/app/target/lib/moescope-engine-opencl-*.jar 2>/dev/null | head -1 || true)
  [ -n "$app_jar" ] && [ -n "$engine_jar" ] || return 0
  for jar in "$app_jar" "$engine_jar"; do
    newer=$(find "$root/engine-opencl/src/main" "$root/app/src/main" "$root/assets" \
      "$root/pom.xml" "$root/app/pom.xml" "$root/engine-opencl/pom.xml" -type f -newer "$jar" 2>/dev/null | head -1 || true)
    [ -z "$newer" ] || return 0
  done
  return 1
}
