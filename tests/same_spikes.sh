#!/usr/bin/env bash
# Every bundled preset run by two builds of spikelab must give the same spikes, traces and final
# weights (what a restructuring that changes no behaviour promises). Networks and single neurons
# run 1 s; learning presets and sweeps run as they are. Wall times are left out of the check.
#   usage: tests/same_spikes.sh BEFORE_BINARY AFTER_BINARY [WORK_DIR]
set -uo pipefail
before=$1 after=$2 work=${3:-$(mktemp -d)}
mkdir -p "$work"
same=0 differ=0
while read -r name _; do
  case $name in stimuli/*) continue ;; learning/* | sweeps/*) args=() ;; *) args=(--duration-ms 1000) ;; esac
  dir=$work/${name//\//_}
  "$before" run "$name" "${args[@]}" --out "$dir.before" >/dev/null 2>"$dir.before.err"; rb=$?
  "$after" run "$name" "${args[@]}" --out "$dir.after" >/dev/null 2>"$dir.after.err"; ra=$?
  ok=$([ "$rb" = "$ra" ] && echo 1 || echo 0)
  for f in "$dir.before"/*.csv; do
    [ -e "$f" ] || continue
    cmp -s "$f" "$dir.after/$(basename "$f")" || ok=0
  done
  if [ "$ok" = 1 ]; then same=$((same + 1)); else differ=$((differ + 1)); echo "differs: $name"; fi
done < <("$before" presets)
echo "same: $same presets, differ: $differ"
[ "$differ" = 0 ]
