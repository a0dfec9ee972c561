#!/usr/bin/env bash
# The Windows lane: every package's windows/amd64 test binary, and runp.exe
# end to end (the main package's Windows tests), run under wine on Linux.
# Run by .ci/run; runnable alone: .ci/wine.sh [go test flags...], e.g.
# .ci/wine.sh -test.run TestE2E -test.v
#
# Debian 12's wine 8 runs Go's windows/amd64 binaries once it has a
# bcryptprimitives.dll exporting ProcessPrng (Go 1.22 and later load it at
# start); .ci/wine/bcryptprimitives.c is that DLL, built here with mingw-w64.
# The tests see RUNP_TEST_WINE=1 and skip what wine lacks, naming the gap
# (README: Platforms). One wineserver serves the whole lane, so that the
# "boot" (and runp's boot id) stays the same from test to test.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# Debian puts the wine64 loader and wineserver outside PATH.
export PATH="$PATH:/usr/lib/wine"
need() { command -v "$1" >/dev/null 2>&1; }
if ! need wine64 || ! need wineserver || ! need x86_64-w64-mingw32-gcc; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wine64 gcc-mingw-w64-x86-64 >/dev/null
fi

work=$(mktemp -d)
export WINEPREFIX="$work/prefix" WINEDEBUG=-all RUNP_TEST_WINE=1
# No display: no Mono or Gecko installer dialogs, no windows.
export WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY=
unset WAYLAND_DISPLAY
server=
finish() {
  [ -n "$server" ] && wineserver -k 2>/dev/null || true
  rm -rf "$work"
}
trap finish EXIT

echo "wine: $(wine64 --version), prefix $WINEPREFIX"
x86_64-w64-mingw32-gcc -O2 -shared -o "$work/bcryptprimitives.dll" \
  .ci/wine/bcryptprimitives.c .ci/wine/bcryptprimitives.def -ladvapi32

echo "wine: building the windows/amd64 test binaries and runp.exe"
mkdir -p "$work/bin"
export GOOS=windows GOARCH=amd64
go build -o "$work/bin/runp.exe" .
pkgs=()
for pkg in $(go list ./...); do
  name=$(echo "${pkg#runp}" | tr / _)
  exe="$work/bin/runp${name}.test.exe"
  go test -c -o "$exe" "$pkg"
  [ -f "$exe" ] && pkgs+=("$pkg=$exe")
done
unset GOOS GOARCH

mkdir -p "$WINEPREFIX"
wineserver -p
server=1
wine64 wineboot -i >/dev/null 2>&1
cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
export RUNP_EXE
RUNP_EXE=$(winepath -w "$work/bin/runp.exe" 2>/dev/null)

# run_pkg runs one package's test binary, its output also kept in $work/out.
run_pkg() {
  (cd "$1" && timeout 600 wine64 "$2" -test.timeout 300s "${@:3}") 2>&1 | tee "$work/out"
  return "${PIPESTATUS[0]}"
}

# Wine 8 now and then fails a CreateProcess with "Internal error" (its
# client prints "sendmsg: Bad file descriptor"): 1 start in 800 with 8
# goroutines starting programs at once, none in 1,300 one at a time. A
# package that failed with that error, and only then, runs once more
# (README: Platforms, wine's gaps).
wine_race='Internal error\.'
failed=()
for entry in "${pkgs[@]}"; do
  pkg=${entry%%=*} exe=${entry#*=}
  dir=$(go list -f '{{.Dir}}' "$pkg")
  start=$SECONDS
  ok=0
  run_pkg "$dir" "$exe" "$@" && ok=1
  if [ $ok = 0 ] && grep -q "$wine_race" "$work/out"; then
    echo "wine: $pkg met wine's CreateProcess race (Internal error): once more"
    run_pkg "$dir" "$exe" "$@" && ok=1
  fi
  if [ $ok = 1 ]; then
    echo "ok   $pkg $((SECONDS - start))s (wine)"
  else
    echo "FAIL $pkg $((SECONDS - start))s (wine)"
    failed+=("$pkg")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "wine: failed: ${failed[*]}" >&2
  exit 1
fi
