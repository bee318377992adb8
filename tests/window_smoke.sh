#!/usr/bin/env bash
# Real-window smoke test: start spikelab under Xvfb on a preset, let it run and draw, save a
# screenshot from inside the app (eframe's own frame grab), and fail unless the picture is a
# full-size window with real content (not missing, blank or a single colour).
#   usage: tests/window_smoke.sh [path/to/spikelab] [out.png]
set -euo pipefail
bin=${1:-target/debug/spikelab}
out=${2:-target/window-smoke.png}
mkdir -p "$(dirname "$out")"
rm -f "$out"

runtime=$(mktemp -d) && chmod 700 "$runtime"
export XDG_RUNTIME_DIR=$runtime
# Sessions go to a folder of this test, not the user's.
export XDG_DATA_HOME=$runtime/data
display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$runtime"' EXIT
export DISPLAY=$display
for _ in $(seq 50); do xdpyinfo -display "$display" >/dev/null 2>&1 && break; sleep 0.1; done

timeout 90 "$bin" gui izhikevich-2003/rs --screenshot "$out" --screenshot-after-ms 3000

[ -s "$out" ] || { echo "window smoke: no screenshot written" >&2; exit 1; }
read -r width height colours <<<"$(/usr/bin/identify -format '%w %h %k' "$out")"
spread=$(/usr/bin/convert "$out" -colorspace Gray -format '%[fx:standard_deviation]' info:)
echo "window smoke: ${width}x${height}, $colours colours, grey-level spread $spread"
[ "$width" -ge 1000 ] && [ "$height" -ge 600 ] || { echo "window smoke: window too small" >&2; exit 1; }
[ "$colours" -ge 64 ] || { echo "window smoke: only $colours colours: the window did not render" >&2; exit 1; }
awk -v s="$spread" 'BEGIN { exit !(s > 0.03) }' || { echo "window smoke: image is nearly uniform" >&2; exit 1; }

# A network: the raster must fill with excitatory (blue) and inhibitory (red) spikes.
raster="${out%.png}-raster.png"
rm -f "$raster"
timeout 90 "$bin" gui networks/izhikevich_2003 --run --view raster --screenshot "$raster" --screenshot-after-ms 4000
[ -s "$raster" ] || { echo "window smoke: no raster screenshot written" >&2; exit 1; }
pixels() { # pixels within 12 % of colour $2 in image $1
  /usr/bin/convert "$1" -fuzz 12% -fill white -opaque "$2" -fill black +opaque white -format '%[fx:mean*w*h]' info:
}
blue=$(pixels "$raster" "rgb(90,170,255)")
red=$(pixels "$raster" "rgb(240,90,90)")
echo "window smoke: raster has $blue excitatory and $red inhibitory spike pixels"
awk -v b="$blue" -v r="$red" 'BEGIN { exit !(b > 2000 && r > 500) }' || { echo "window smoke: the raster did not fill" >&2; exit 1; }

# Session: a window killed mid-run has autosaved its session; a window opened without a preset
# reopens it (on the same preset and view).
session=$XDG_DATA_HOME/spikelab/session.ron
rm -f "$session"
"$bin" gui basics/lif_std --view phase-plane &
window=$!
for _ in $(seq 100); do grep -qs 'view: "phase-plane"' "$session" && break; sleep 0.1; done
sleep 1
kill -9 $window; wait $window 2>/dev/null || true
grep -q 'view: "phase-plane"' "$session" && grep -q 'name: "LIF' "$session" \
  || { echo "window smoke: the killed window left no session" >&2; cat "$session" >&2; exit 1; }
restored="${out%.png}-restored.png"
timeout 90 "$bin" gui --screenshot "$restored" --screenshot-after-ms 2000
grep -q 'view: "phase-plane"' "$session" && grep -q 'name: "LIF' "$session" \
  || { echo "window smoke: the session was not restored" >&2; cat "$session" >&2; exit 1; }
# A corrupt session is set aside and the window still opens.
echo '(zoom: "big")' >"$session"
timeout 90 "$bin" gui --screenshot "$restored" --screenshot-after-ms 1500
[ -s "$session.corrupt" ] || { echo "window smoke: the corrupt session was not set aside" >&2; exit 1; }

# A lesson in a real window: its panel draws beside the lab, its progress is saved, and the
# next window (no preset) reopens it from the session.
lesson="${out%.png}-lesson.png"
rm -f "$lesson"
timeout 90 "$bin" gui --fresh --lesson 07-phase-plane --screenshot "$lesson" --screenshot-after-ms 3000
[ -s "$lesson" ] || { echo "window smoke: no lesson screenshot written" >&2; exit 1; }
progress=$XDG_DATA_HOME/spikelab/lessons/07-phase-plane/progress.ron
[ -s "$progress" ] || { echo "window smoke: the lesson's progress was not saved" >&2; exit 1; }
grep -q 'lesson: "07-phase-plane"' "$session" || { echo "window smoke: the session forgot the lesson" >&2; exit 1; }
# The lesson panel (egui's panel grey, rgb 27) covers the right of the window, where without a
# lesson the plot (darker, with its grid) would be; its text makes the top of it far from uniform.
panel=$(/usr/bin/convert "$lesson" -crop 370x300+905+450 -fuzz 2% -fill white -opaque "rgb(27,27,27)" \
  -fill black +opaque white -format '%[fx:mean]' info:)
text=$(/usr/bin/convert "$lesson" -crop 370x300+905+100 -colorspace Gray -format '%[fx:standard_deviation]' info:)
echo "window smoke: lesson panel grey over $panel of its lower part, text spread $text"
awk -v p="$panel" -v t="$text" 'BEGIN { exit !(p > 0.7 && t > 0.1) }' \
  || { echo "window smoke: no lesson panel beside the lab" >&2; exit 1; }
echo "window smoke: ok"
