#!/usr/bin/env bash
# bench/compare.sh: runp against its peers, all in one run (issue 6).
#
# Builds runp, a minimal Go exec wrapper (bench/floor) and the same behind
# urfave/cli (bench/clifloor), a bare PTY relay
# (bench/ptyrelay) and the measuring driver (bench/driver), installs tini,
# dumb-init, catatonit, expect (unbuffer) and bsdutils (script) from Debian
# when missing, runs every figure for runp and the peers with their runs
# interleaved, and prints a markdown table of medians, ratios and goals.
# bench/README.md says what each figure measures.
#
# Usage: bench/compare.sh [options]
#   -n RUNS   figure 1: start+exit runs per wrapper     (default 200, $BENCH_RUNS)
#   -r REPS   figures 3, 5, 6: rounds per wrapper       (default 3, $BENCH_REPS)
#   -t RUNS   figure 2: throughput runs per wrapper     (default 7, $BENCH_TPUT_RUNS)
#   -s MB     figure 2: size of the text file in MB      (default 200, $BENCH_SIZE_MB)
#   -i SECS   figure 4: length of the supervised sleep  (default 20, $BENCH_IDLE_SECS)
#   -f LIST   figures to run, e.g. 1,2                   (default 1,2,3,4,5,6, $BENCH_FIGS)
#             m: figure 1 for the design minimum (bench/design-minimum.patch)
#   -b REV    also figure 1b: runp against runp built at git revision REV,
#             interleaved with the floor (what a change costs the start)
#   --full    -n 1000 -r 10 -t 10 -i 60
#   -o FILE   also write the table (with a header) to FILE
set -euo pipefail

RUNS=${BENCH_RUNS:-200}
REPS=${BENCH_REPS:-3}
TPUT=${BENCH_TPUT_RUNS:-7}
SIZE_MB=${BENCH_SIZE_MB:-200}
IDLE=${BENCH_IDLE_SECS:-20}
FIGS=${BENCH_FIGS:-1,2,3,4,5,6}
OUT=""
BASE=${BENCH_BASE:-}
PROCS=500      # figure 5: daemons the child leaves behind
UNRELATED=2000 # figure 6: processes outside the reaper's tree
ARGS="$*"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
die() { echo "compare.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    -n) RUNS=${2:?}; shift 2 ;;
    -r) REPS=${2:?}; shift 2 ;;
    -t) TPUT=${2:?}; shift 2 ;;
    -s) SIZE_MB=${2:?}; shift 2 ;;
    -i) IDLE=${2:?}; shift 2 ;;
    -f) FIGS=${2:?}; shift 2 ;;
    -o) OUT=${2:?}; shift 2 ;;
    -b) BASE=${2:?}; shift 2 ;;
    --full) RUNS=1000 REPS=10 TPUT=10 IDLE=60; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
done
for v in RUNS REPS TPUT SIZE_MB IDLE; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, not '${!v}'"
done
[ "$IDLE" -ge 5 ] || die "-i must be at least 5 seconds"
fig() { [[ ,$FIGS, == *,$1,* ]]; }
say() { printf '\n== %s\n' "$*" >&2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/runp-bench.XXXXXX")
# Every process the harness starts inherits this marker: the sweep at the
# end finds whatever escaped by it and kills it by PID.
export RUNP_BENCH_RUN=${tmp##*/}
marker="RUNP_BENCH_RUN=$RUNP_BENCH_RUN"

# sweep kills every process that carries this run's marker. It uses bash
# builtins only: an exec'd grep would carry the marker itself.
sweep() {
  local p kv found=()
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" = "$$" ] && continue
    while IFS= read -r -d '' kv; do
      if [ "$kv" = "$marker" ]; then
        found+=("$p")
        break
      fi
    done 2>/dev/null <"/proc/$p/environ" || true
  done
  if [ ${#found[@]} -gt 0 ]; then
    echo "compare.sh: killing ${#found[@]} leftover processes: ${found[*]}" >&2
    kill -KILL "${found[@]}" 2>/dev/null || true
  fi
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  sweep
  if [ -d "$tmp/state/sessions" ] && [ -n "$(ls -A "$tmp/state/sessions")" ]; then
    echo "compare.sh: runp left session files behind: $(ls "$tmp/state/sessions")" >&2
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# --- peers and tools
command -v go >/dev/null || die "Go is not installed"
pkgs=()
for tp in tini:tini dumb-init:dumb-init catatonit:catatonit unbuffer:expect script:bsdutils setsid:util-linux; do
  command -v "${tp%%:*}" >/dev/null || pkgs+=("${tp#*:}")
done
if [ ${#pkgs[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${pkgs[*]}: apt-get install ${pkgs[*]} (as root)"
  say "installing ${pkgs[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi

# --- builds
say "building runp, bench/floor, bench/ptyrelay, bench/driver"
bin=$tmp/bin
mkdir -p "$bin" "$tmp/state"
(cd "$root" && go build -tags urfave_cli_no_docs -o "$bin/runp" . &&
  go build -tags urfave_cli_no_docs -o "$bin/" ./bench/driver ./bench/floor ./bench/clifloor ./bench/ptyrelay)
if fig 6; then
  (cd "$root" && go test -c -o "$bin/reaper.test" ./reaper &&
    go test -c -o "$bin/supervisor.test" ./supervisor &&
    go test -c -o "$bin/registry.test" ./registry &&
    go test -c -o "$bin/main.test" .)
fi
res=$tmp/results.tsv
: >"$res"
driver() { "$bin/driver" "$@"; }

spec=$tmp/wrappers.tsv
wrapper() { (IFS=$'\t' && printf '%s\n' "$*") >>"$spec"; }
wrapper runp "$bin/runp" --state-dir "$tmp/state" -- '{}'
wrapper tini "$(command -v tini)" -s -- '{}' # -s: a subreaper, as it is not PID 1
wrapper dumb-init "$(command -v dumb-init)" -- '{}'
wrapper catatonit "$(command -v catatonit)" -- '{}'
wrapper unbuffer "$(command -v unbuffer)" '{}'
wrapper script "$(command -v script)" -qec '{sh}' /dev/null
wrapper floor "$bin/floor" '{}'
wrapper go-start "$bin/floor" -exit # info: the Go runtime's start and exit, no child
wrapper cli-floor "$bin/clifloor" -- '{}' # info: the floor behind urfave/cli
wrapper relay "$bin/ptyrelay" '{}'

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$root" diff --quiet HEAD 2>/dev/null || commit="$commit+changes"
header="runp $commit; $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; kernel $(uname -r); $(go version | cut -d' ' -f3); load $(cut -d' ' -f1-3 /proc/loadavg)"
say "$header"
if awk -v n="$(nproc)" '{exit !($1 > n / 2)}' /proc/loadavg; then
  echo "compare.sh: warning: load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores: other work will show in the figures" >&2
fi

if fig 1; then
  say "1. start+exit: W -- /bin/true, $RUNS runs each, interleaved (stdio /dev/null)"
  driver wall -spec "$spec" -w runp,tini,dumb-init,catatonit,unbuffer,script,floor,go-start,cli-floor \
    -n "$RUNS" -key start -results "$res" -- /bin/true
fi

if [ -n "$BASE" ]; then
  rev=$(git -C "$root" rev-parse --short "$BASE^{commit}") || die "-b: no revision $BASE"
  say "1b. start+exit against runp at $rev: W -- /bin/true, $RUNS runs each, interleaved"
  src=$tmp/base
  mkdir -p "$src"
  git -C "$root" archive "$rev" | tar -C "$src" -xf -
  (cd "$src" && go build -tags urfave_cli_no_docs -o "$bin/runp-base" .)
  wrapper base "$bin/runp-base" --state-dir "$tmp/state" -- '{}'
  printf 'base.rev\t%s\n' "$rev" >>"$res"
  driver wall -spec "$spec" -w runp,base,floor -n "$RUNS" -key base -results "$res" -- /bin/true
fi

if fig m; then
  say "1m. design minimum (bench/design-minimum.patch): W -- /bin/true, $RUNS runs each, interleaved"
  src=$tmp/minimum
  mkdir -p "$src"
  tar -C "$root" --exclude=.git -cf - . | tar -C "$src" -xf -
  (cd "$src" && git apply bench/design-minimum.patch)
  for n in 0 4 7; do
    (cd "$src" && go build -tags urfave_cli_no_docs -ldflags "-X runp/supervisor.MinimumSignals=$n" -o "$bin/min$n" .)
    wrapper "min$n" "$bin/min$n" -- '{}'
  done
  driver wall -spec "$spec" -w runp,min0,min4,min7,floor,unbuffer -n "$RUNS" -key minimum -results "$res" -- /bin/true
fi

if fig 2; then
  data=$tmp/data.txt
  say "2. PTY throughput: W -- cat FILE > /dev/null, $TPUT runs each, interleaved"
  head -c $((SIZE_MB * 750000)) /dev/urandom | base64 -w 76 >"$data"
  bytes=$(stat -c %s "$data")
  want=$(sha256sum <"$data" | cut -d' ' -f1)
  exact() { # name argv...: one run through a pipe into sha256sum
    local name=$1 got n
    shift
    got=$("$@" </dev/null | sha256sum | cut -d' ' -f1)
    if [ "$got" = "$want" ]; then
      printf 'exact.%s\tyes\n' "$name" >>"$res"
      echo "  $name: sha256 matches ($bytes bytes)" >&2
    else
      n=$("$@" </dev/null | wc -c)
      printf 'exact.%s\tno (%s B)\n' "$name" "$n" >>"$res"
      echo "  $name: sha256 differs: $n bytes out for $bytes in" >&2
    fi
  }
  exact runp "$bin/runp" --state-dir "$tmp/state" -- cat "$data"
  exact relay "$bin/ptyrelay" cat "$data"
  exact script script -qec "cat '$data'" /dev/null
  driver wall -spec "$spec" -w runp,relay,script -n "$TPUT" -warmup 1 -bytes "$bytes" \
    -key tput -results "$res" -- cat "$data"
  rm -f "$data"
fi

if fig 3; then
  say "3. memory: peak RSS (VmHWM) of W while it supervises sleep 2, $REPS rounds"
  driver mem -spec "$spec" -w runp,tini,dumb-init,catatonit,floor,cli-floor -n "$REPS" -key mem -results "$res" -- sleep 2
fi

if fig 4; then
  say "4. idle CPU: W -- sleep $IDLE, CPU time from 2 s to $((IDLE - 1)) s, scaled to a minute"
  driver cpu -spec "$spec" -w runp,tini,dumb-init,catatonit -secs "$IDLE" -key cpu -results "$res"
fi

if fig 5; then
  say "5. clean-up: the child leaves $PROCS daemons (setsid, double fork) and exits; $REPS runs of runp"
  driver cleanup -spec "$spec" -w runp,tini,dumb-init,catatonit -once tini,dumb-init,catatonit \
    -n "$REPS" -procs "$PROCS" -key cleanup -results "$res"
fi

if fig 6; then
  # bench NAME FIELD [driver sleeps ...]: the median of FIELD (3 = ns/op,
  # 5 = MB/s) over the benchmark's lines.
  median() { sort -n | awk '{a[NR] = $1} END {if (NR == 0) exit 1; print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
  gobench() { # test-binary benchmark count benchtime field [prefix command...]
    local tb=$1 name=$2 count=$3 bt=$4 field=$5 v
    shift 5
    local dir=$root/${tb%.test}
    [ "$tb" != main.test ] || dir=$root # runp's own package, at the root
    if ! (cd "$dir" && "$@" "$bin/$tb" -test.run '^$' -test.bench "^$name\$" \
      -test.count "$count" -test.benchtime "$bt") >"$tmp/bench.out" 2>&1; then
      cat "$tmp/bench.out" >&2
      die "$tb: $name failed"
    fi
    grep -v '^\(goos\|goarch\|pkg\|cpu\|PASS\)' "$tmp/bench.out" >&2 || true
    v=$(awk -v n="$name" -v f="$field" '$1 ~ "^"n"(-[0-9]+)?$" {print $f}' "$tmp/bench.out")
    [ -n "$v" ] || die "$tb: no $name result"
    echo "$v"
  }
  say "6. reaper tick (Scan) of a 10-process tree, with 0 and $UNRELATED unrelated processes"
  s0=$(gobench reaper.test BenchmarkScan10 "$REPS" 1s 3)
  s2000=$(gobench reaper.test BenchmarkScan10 "$REPS" 1s 3 "$bin/driver" sleeps -n "$UNRELATED" --)
  s0b=$(gobench reaper.test BenchmarkScan10 "$REPS" 1s 3)
  m0=$(printf '%s\n' "$s0" "$s0b" | median)
  m2000=$(printf '%s\n' "$s2000" | median)
  printf 'scan.0\t%s\nscan.2000\t%s\n' "$m0" "$m2000" >>"$res"
  say "6b. Go micro-benchmarks (information)"
  for n in 10 100 1000; do
    v=$(gobench reaper.test "BenchmarkScan$n" 1 1s 3)
    printf 'micro.scan%s\t%s\n' "$n" "$v" >>"$res"
  done
  v=$(gobench supervisor.test BenchmarkRelayPTY 1 20x 5)
  printf 'micro.relay\t%s\n' "$v" >>"$res"
  v=$(gobench registry.test BenchmarkWrite 1 1s 3)
  printf 'micro.regwrite\t%s\n' "$v" >>"$res"
  v=$(gobench main.test BenchmarkCLIParse 1 1s 3)
  printf 'micro.cliparse\t%s\n' "$v" >>"$res"
fi

say "results ($RUNS start+exit runs, $TPUT throughput runs, $REPS rounds elsewhere)"
table=$(driver table -results "$res")
printf '%s\n\n%s\n' "$header" "$table"
if [ -n "$OUT" ]; then
  printf '%s\n\nCommand: %s\n\n%s\n' "$header" "\`bench/compare.sh $ARGS\`" "$table" >"$OUT"
fi
