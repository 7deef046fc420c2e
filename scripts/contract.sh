#!/usr/bin/env bash
# The contract run: serve the demo on a throwaway SQLite database and let Schemathesis test every operation with
# every check, once as the HR admin and once as an employee. Bounded (examples per operation, a time budget).
# Usage: scripts/contract.sh [MAX_EXAMPLES]   (CI uses the default)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
max_examples=${1:-15}
work=$(mktemp -d)
logs=${KPR_CONTRACT_LOGS:-$root/var/contract}
mkdir -p "$logs"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export KPR_DATABASE_URL="sqlite+aiosqlite:///$work/contract.db"
export KPR_JWT_SECRET="contract-$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
export KPR_LOG_LEVEL=WARNING
# Schemathesis makes thousands of requests as one principal in a few minutes: the rate limiter stays in the stack (its
# fields are on every answer it checks) with quotas far above what the run makes, so no answer is a 429.
for quota in READS WRITES BULK ORG_READS ORG_WRITES ORG_BULK ANONYMOUS; do
  export "KPR_RATE_LIMIT_$quota=1000000/minute"
done
org=14448f76-fbc5-52d2-b7ae-b84dcab85bb0

(cd "$work" && "$root/.venv/bin/kpr" demo > demo.log)
"$root/.venv/bin/kpr" serve --port "$port" > "$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done

status=0
# The employee first: the admin's run may deactivate demo employees (DELETE /employees/{id}), and a deactivated
# employee's token reads nothing, so an employee run after it met only 401s.
for who in "sales_rep1 -" "hr_mgr admin"; do
  set -- $who
  roles=(); [ "$2" = "-" ] || roles=(--role "$2")
  token=$("$root/.venv/bin/kpr" token --org "$org" --sub "demo.$1" "${roles[@]}" 2>/dev/null)
  echo "== schemathesis as demo.$1"
  SCHEMATHESIS_HOOKS=tests.contract.schemathesis_hooks PYTHONPATH="$root" \
    "$root/.venv/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
    --checks all -H "Authorization: Bearer $token" --max-examples "$max_examples" \
    --phases examples,coverage,fuzzing,stateful --workers 1 --seed 20261202 --max-time ${KPR_CONTRACT_SECONDS:-150} \
    > "$logs/st-$1.log" 2>&1 || status=1
  tail -n 25 "$logs/st-$1.log"
  [ $status -eq 0 ] || { grep -E "^(_{3,}| *- ST| *Unsupported|\[[0-9]{3}\])" "$logs/st-$1.log" | head -80; }
done
exit $status
