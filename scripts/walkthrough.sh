#!/usr/bin/env bash
# The README's walk-through and the recipes of docs/recipes.md, exactly as written, against a fresh demo: a throwaway
# data directory (database and development secret), a free port, and run from a folder other than the repository
# (KPR_HOME points back at it, PORT at the port).
# Usage: scripts/walkthrough.sh   (CI runs it; on a failure it shows what ran and the error)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
export KPR_DATA_DIR="$work/data" KPR_LOG_LEVEL=WARNING KPR_WEBHOOK_ALLOWED_HOSTS=127.0.0.1
# Each walk stays within the default quotas on its own; run back to back, the HR admin's bulk work (cycle moves,
# imports, rollovers, reward runs) adds up past 10 a minute.
export KPR_RATE_LIMIT_BULK="100/minute"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

"$root/.venv/bin/kpr" demo --port "$port" > "$work/demo.log" 2>&1
grep -q "Open http://127.0.0.1:$port/docs" "$work/demo.log"
"$root/.venv/bin/kpr" serve --port "$port" > "$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done

# The ```sh blocks of a Markdown file: the first one after a marker, or all of them.
blocks() {
  python3 - "$@" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
if len(sys.argv) > 2:
    after = text[text.index(sys.argv[2]):]
    print(re.search(r"```sh\n(.*?)\n```", after, re.S).group(1))
else:
    print("\n".join(re.findall(r"```sh\n(.*?)\n```", text, re.S)))
PY
}
mkdir -p "$work/elsewhere"
cd "$work/elsewhere"

walk=$(blocks "$root/README.md" "<!-- walkthrough:")
PORT=$port KPR_HOME=$root bash -c "$walk" > "$work/walk.log" || { cat "$work/walk.log"; exit 1; }
# The walk ends at the score: the KPR scored 50 from a check-in of 85 between 80 and 90.
python3 -c 'import json, sys; lines = [l for l in open(sys.argv[1]) if l.startswith("{")]; kpr = next(json.loads(l) for l in lines if "\"smart\"" in l and "\"score\"" in l); assert (kpr["achievement"], kpr["progress"], kpr["score"]) == (50, 50, 50), kpr' "$work/walk.log"
echo "the README walk-through works as written: $(grep -c . "$work/walk.log") responses, the KPR scored 50"

recipes=$(blocks "$root/docs/recipes.md")
PORT=$port KPR_HOME=$root bash -e -c "$recipes" > "$work/recipes.log" 2>&1 || { cat "$work/recipes.log"; exit 1; }
for expected in "HTTP 412" "idempotent-replayed: true" "HTTP 422" "copied: {'goals': 0, 'plans': 0, 'kprs': 0, 'kpis': 0}" '"active":false' '"created":50' 'sent 0 reminders and 0 escalations' '"status":"duplicate"'; do
  grep -q "$expected" "$work/recipes.log" || { cat "$work/recipes.log"; echo "docs/recipes.md: no '$expected'"; exit 1; }
done
grep -E "^copied:|open tasks:|^sent " "$work/recipes.log"
echo "docs/recipes.md works as written"

receiver_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
hooks=$(blocks "$root/README.md" "<!-- webhooks walkthrough:")
PORT=$port KPR_HOME=$root RECEIVER_PORT=$receiver_port bash -c "$hooks" > "$work/hooks.log" 2>&1 || { cat "$work/hooks.log"; exit 1; }
for expected in "answering 500" "verified webhook.test" '"status":"delivered"' '"attempts":3'; do
  grep -q "$expected" "$work/hooks.log" || { cat "$work/hooks.log"; echo "README webhooks: no '$expected'"; exit 1; }
done
echo "the README webhook walk-through works as written: a test event refused twice, then delivered and verified"

evaluation=$(blocks "$root/README.md" "<!-- evaluations walkthrough:")
PORT=$port KPR_HOME=$root bash -c "$evaluation" > "$work/evaluation.log" 2>&1 || { cat "$work/evaluation.log"; exit 1; }
for expected in "(2, 90, [None, None])" "('status:', 'appealed')" "('status:', 'acknowledged', 'A')" "('reward:', 11111.11, 11111.11"; do
  grep -qF "$expected" "$work/evaluation.log" || { cat "$work/evaluation.log"; echo "README evaluations: no '$expected'"; exit 1; }
done
echo "the README evaluations walk-through works as written: anonymous feedback, an appeal upheld, a reward run to the cent"
