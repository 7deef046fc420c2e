#!/usr/bin/env bash
# The README's walk-through, exactly as written, against a fresh demo: a throwaway data directory (database and
# development secret), a free port, and run from a folder other than the repository (KPR_HOME points back at it).
# Usage: scripts/walkthrough.sh   (CI runs it; on a failure it shows the walk's output and the error)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
export KPR_DATA_DIR="$work/data" KPR_LOG_LEVEL=WARNING
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

"$root/.venv/bin/kpr" demo --port "$port" > "$work/demo.log" 2>&1
grep -q "Open http://127.0.0.1:$port/docs" "$work/demo.log"
"$root/.venv/bin/kpr" serve --port "$port" > "$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done

# The first ```sh block after the walkthrough marker.
block=$(python3 - "$root/README.md" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
after = text[text.index("<!-- walkthrough:"):]
print(re.search(r"```sh\n(.*?)\n```", after, re.S).group(1))
PY
)
mkdir -p "$work/elsewhere"
cd "$work/elsewhere"
PORT=$port KPR_HOME=$root bash -c "$block" > "$work/walk.log" || { cat "$work/walk.log"; exit 1; }
# The walk ends at the score: the KPR scored 50 from a check-in of 85 between 80 and 90.
python3 -c 'import json, sys; lines = [l for l in open(sys.argv[1]) if l.startswith("{")]; kpr = next(json.loads(l) for l in lines if "\"smart\"" in l and "\"score\"" in l); assert (kpr["achievement"], kpr["progress"], kpr["score"]) == (50, 50, 50), kpr' "$work/walk.log"
echo "the README walk-through works as written: $(grep -c . "$work/walk.log") responses, the KPR scored 50"
