"""Smoke test of the Python client that openapi-python-client generates from openapi.json, against the live service.

Run by scripts/client_contract.sh with the generated package on PYTHONPATH: creates a cycle, reads it back and lists
cycles, and checks that every answer arrived parsed into its model (``parsed`` is None when the generator could not
type a response, which is what a duplicate schema title used to cause).

Usage: client_smoke.py BASE_URL TOKEN
"""

import sys
import uuid

from kpr_client import AuthenticatedClient
from kpr_client.api.cycles import create_cycle, get_cycle, list_cycles, update_cycle
from kpr_client.models import Cycle, CycleCreate, CycleUpdate, PageCycle, Policy


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"client smoke: {message}")


def main(base_url: str, token: str) -> None:
    client = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)
    with client:
        body = CycleCreate.from_dict(
            {
                "name": "客户端冒烟测试 client smoke",
                "cadence": "quarterly",
                "start_date": "2027-01-01",
                "end_date": "2027-03-31",
            }
        )
        created = create_cycle.sync_detailed(client=client, body=body, idempotency_key=uuid.uuid4().hex)
        check(created.status_code == 201, f"create_cycle answered {created.status_code}: {created.content!r}")
        check(isinstance(created.parsed, Cycle), f"create_cycle was not parsed: {created.parsed!r}")
        assert isinstance(created.parsed, Cycle)
        check("ETag" in created.headers and "Location" in created.headers, "create_cycle sent no ETag or Location")
        cycle_id = created.parsed.id

        read = get_cycle.sync_detailed(cycle_id, client=client)
        check(isinstance(read.parsed, Cycle), f"get_cycle was not parsed: {read.parsed!r}")
        assert isinstance(read.parsed, Cycle)
        check(read.parsed.id == cycle_id and read.parsed.cadence == "quarterly", "get_cycle read another cycle")
        check(isinstance(read.parsed.policy, Policy), "the policy was not parsed")
        check(read.parsed.policy.cap == 120 and read.parsed.policy.components.results == 70, "default policy differs")

        renamed = update_cycle.sync_detailed(
            cycle_id, client=client, body=CycleUpdate(name="客户端冒烟测试 renamed"), if_match=read.headers["ETag"]
        )
        check(isinstance(renamed.parsed, Cycle), f"update_cycle was not parsed: {renamed.parsed!r}")
        assert isinstance(renamed.parsed, Cycle)
        check(renamed.parsed.name == "客户端冒烟测试 renamed", "update_cycle did not rename")

        page = list_cycles.sync_detailed(client=client, limit=200)
        check(isinstance(page.parsed, PageCycle), f"list_cycles was not parsed: {page.parsed!r}")
        assert isinstance(page.parsed, PageCycle)
        check(any(item.id == cycle_id for item in page.parsed.items), "the new cycle is not listed")
    print(f"client smoke: created, read, renamed and listed cycle {cycle_id} through the generated client")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
