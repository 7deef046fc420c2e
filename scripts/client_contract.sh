#!/usr/bin/env bash
# The contract as clients' own tools read it (part of .ci/run): openapi.json must
#   - pass Spectral (spectral:oas + the OWASP API Security ruleset, tools/.spectral.yaml) with no error;
#   - generate a Python client with openapi-python-client with no warning, and that client, run against the live
#     service (a SQLite demo on a free port), must get every answer parsed into its model;
#   - generate TypeScript types with openapi-typescript that a typed openapi-fetch client (tools/client.ts) compiles
#     against with `tsc --strict`.
# The node tools are pinned in tools/package-lock.json (installed here with `npm ci` when missing); the generated
# clients go to tools/generated/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tools=$root/tools
generated=$tools/generated
bin=$root/.venv/bin
org=14448f76-fbc5-52d2-b7ae-b84dcab85bb0 # the demo company

[ -d "$tools/node_modules" ] || (cd "$tools" && npm ci --no-audit --no-fund)
rm -rf "$generated"
mkdir -p "$generated"

echo "== Spectral: spectral:oas + OWASP API Security Top 10, no error"
(cd "$tools" && npx --no-install spectral lint --ruleset .spectral.yaml --fail-severity error \
  --format stylish ../openapi.json)

echo "== openapi-python-client: a typed client, no warning"
log=$generated/openapi-python-client.log
if ! "$bin/openapi-python-client" generate --path openapi.json --config "$tools/openapi-python-client.yaml" \
  --meta none --output-path "$generated/python/kpr_client" > "$log" 2>&1; then
  cat "$log"
  exit 1
fi
if grep -qiE "warning|unable|could not|error" "$log"; then
  cat "$log"
  echo "openapi-python-client warned about openapi.json"
  exit 1
fi
echo "generated $(find "$generated/python/kpr_client" -name '*.py' | wc -l) modules"

echo "== openapi-typescript + tsc --strict: a typed openapi-fetch client compiles"
(cd "$tools" && npx --no-install openapi-typescript ../openapi.json --output generated/api.d.ts \
  && npx --no-install tsc --project tsconfig.json)
echo "tools/client.ts compiles against the generated types"

echo "== the generated Python client against the live service"
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export KPR_DATABASE_URL="sqlite+aiosqlite:///$work/clients.db"
export KPR_JWT_SECRET="clients-$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
export KPR_LOG_LEVEL=WARNING
(cd "$work" && "$bin/kpr" demo > demo.log)
"$bin/kpr" serve --port "$port" > "$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done
token=$("$bin/kpr" token --org "$org" --sub demo.hr_mgr --role admin 2>/dev/null)
PYTHONPATH="$generated/python" "$bin/python" "$tools/client_smoke.py" "http://127.0.0.1:$port" "$token" \
  || { tail -n 40 "$work/serve.log"; exit 1; }
echo "clients' tools: passed"
