#!/usr/bin/env bash
# Peak resident memory of zhclean on multi-GB inputs: one huge file, one huge single line
# (no newline, no spaces), one huge JSON Lines file, and a tree of many files.
# Usage: scripts/bench-memory.sh [SIZE_MB]   (default 2000; inputs in bench-data/big/)
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-2000}
DATA=bench-data/big
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time; apt-get install time)" >&2; exit 1; }

cargo build --release --quiet
Z=target/release/zhclean

if [ ! -s "$DATA/huge.txt" ] || [ "$(stat -c %s "$DATA/huge.txt")" -lt $((MB * 1000000)) ]; then
  echo "generating ${MB} MB inputs in $DATA ..." >&2
  python3 scripts/bench_data.py big "$DATA" "$MB"
fi
# A tree of many small files: 20000 files.
if [ ! -d "$DATA/tree" ]; then
  mkdir -p "$DATA/tree"
  python3 - "$DATA/tree" <<'PY'
import os, sys
root = sys.argv[1]
with open(os.path.join(root, "..", "huge.txt"), "rb") as f:
    block = f.read(4_000_000).decode("utf-8", "ignore").splitlines(keepends=True)
for i in range(20000):
    d = os.path.join(root, f"d{i // 1000:02}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:05}.txt"), "w", encoding="utf-8") as f:
        f.writelines(block[i * 3 % len(block): i * 3 % len(block) + 40])
PY
fi

measure() { # name, then the command
  local name=$1; shift
  local log
  log=$(mktemp)
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { echo "$name: failed"; tail -5 "$log"; rm -f "$log"; return; }
  local rss wall
  rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$log")
  wall=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$log")
  printf '| %s | %s MB | %s MiB | %s |\n' "$name" "$INSIZE" "$((rss / 1024))" "$wall"
  rm -f "$log"
}
size_mb() { du -sm --apparent-size "$1" | cut -f1; }

echo "zhclean peak RSS, $(date -u +%Y-%m-%d), $(uname -srm), $(nproc) cores"
echo
echo "| input | size | peak RSS | wall time |"
echo "|---|---|---|---|"
INSIZE=$(size_mb "$DATA/huge.txt");    measure "one huge file (default pipeline)" "$Z" -q "$DATA/huge.txt"
INSIZE=$(size_mb "$DATA/oneline.txt"); measure "one huge single line" "$Z" -q "$DATA/oneline.txt"
INSIZE=$(size_mb "$DATA/huge.jsonl");  measure "huge JSONL (--jsonl --field text)" "$Z" -q --jsonl --field text "$DATA/huge.jsonl"
INSIZE=$(size_mb "$DATA/tree");        measure "tree of 20000 files to stdout (-r)" "$Z" -q -r "$DATA/tree"
OUT=$(mktemp -d)
INSIZE=$(size_mb "$DATA/tree");        measure "tree of 20000 files (-r --out-dir)" "$Z" -q -r "$DATA/tree" --out-dir "$OUT"
rm -rf "$OUT"
