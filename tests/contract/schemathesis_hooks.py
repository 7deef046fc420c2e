"""Schemathesis hooks for the contract run (``scripts/contract.sh``).

Each generated request gets an ``Idempotency-Key`` of its own, as a careful client's retries would: a fuzzer that
sends one fixed key with different bodies only meets the documented 422 ``IDEMPOTENCY_KEY_REUSED`` over and over
(key reuse, replays and races are proven by ``tests/core/test_idempotency.py`` and ``tests/core/test_identity.py``).
"""

import uuid
from typing import Any

import schemathesis


@schemathesis.hook
def map_headers(ctx: Any, headers: dict[str, Any] | None) -> dict[str, Any] | None:
    # Only a well-formed key is replaced: a malformed one stays, for the 400 the negative cases expect.
    key = (headers or {}).get("Idempotency-Key")
    if headers is not None and isinstance(key, str) and 1 <= len(key) <= 255:
        headers["Idempotency-Key"] = uuid.uuid4().hex
    return headers
