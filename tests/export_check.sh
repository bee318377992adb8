#!/usr/bin/env bash
# Exported networks run in NEST 3.10 and Brian2 (from PyPI, in a venv of their own) and agree
# with spikelab (tests/export_check.py says how).
#   usage: tests/export_check.sh [path/to/spikelab]
set -euo pipefail
bin=${1:-target/debug/spikelab}
venv=${SPIKELAB_EXPORT_VENV:-/tmp/spikelab-export-venv}
if ! PYNEST_QUIET=1 "$venv/bin/python" -c "import nest, brian2" >/dev/null 2>&1; then
  echo "== installing NEST 3.10 and Brian2 into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "nest-simulator==3.10.0" "brian2==2.9.0" "numpy<2.4"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$(dirname "$0")/export_check.py" --bin "$bin" --python "$venv/bin/python" --work "$work"
