from httpx import AsyncClient

from tests.assertions import assert_problem
from tests.factories import Tenant


async def test_list_employees_in_chinese(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.get("/api/v1/employees", headers=tenant.headers("employee"))
    assert response.status_code == 200
    names = {e["name"] for e in response.json()["items"]}
    assert {"经理", "员工", "同事"} <= names


async def test_other_tenant_employee_is_404(client: AsyncClient, tenant: Tenant, other_tenant: Tenant) -> None:
    response = await client.get(f"/api/v1/employees/{other_tenant.employee.id}", headers=tenant.headers("admin"))
    assert_problem(response, 404, "NOT_FOUND")
