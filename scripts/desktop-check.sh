#!/usr/bin/env bash
# Sourced by ./moescope before it opens the app: says in one sentence what a desktop lacks (a display, GTK 3)
# instead of letting JavaFX die with a stack trace.

moescope_has_lib() {
  # True when the dynamic linker can find the library $1 (e.g. libgtk-3.so.0).
  local ldconfig
  ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
  if [ -x "$ldconfig" ]; then
    local cache
    cache=$("$ldconfig" -p 2>/dev/null || true)
    case "$cache" in *[[:space:]]"$1 "*) return 0 ;; esac
  fi
  # ldconfig's cache misses libraries under LD_LIBRARY_PATH or when it cannot run; look there too.
  local dir extra="${LD_LIBRARY_PATH:-}"
  for dir in ${extra//:/ } /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib /lib/x86_64-linux-gnu; do
    [ -e "$dir/$1" ] && return 0
  done
  return 1
}

moescope_check_desktop() {
  # Returns 1 with a message on stderr when the app cannot open a window here; MOESCOPE_SKIP_DESKTOP_CHECK=1 skips it.
  [ "${MOESCOPE_SKIP_DESKTOP_CHECK:-0}" = 1 ] && return 0
  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "moescope: no display to open the app on (DISPLAY and WAYLAND_DISPLAY are unset): run it from a desktop" \
      "session, over ssh with 'ssh -X', or without a screen under 'xvfb-run ./moescope'; the CLI" \
      "(./moescope generate|score|bench|devices|convert) needs no display." >&2
    return 1
  fi
  if ! moescope_has_lib libgtk-3.so.0; then
    echo "moescope: the app needs GTK 3 (libgtk-3.so.0), which is not installed: on Debian/Ubuntu" \
      "'sudo apt-get install libgtk-3-0' ('libgtk-3-0t64' on Ubuntu 24.04 and later), on Fedora" \
      "'sudo dnf install gtk3'; the CLI (./moescope generate|score|bench|devices|convert) runs without it." >&2
    return 1
  fi
  return 0
}
