"""Benchmark the employee import (DESIGN §14): a 10,000-row sheet through the whole HTTP stack, in one process.

Builds the schema through the migrations and an organization with 50 departments and an admin, then times, through
POST /api/v1/imports/employees (httpx over ASGI: body limit, authentication, the multipart parser, the service, the
commit):

1. a dry run of the XLSX file (10,000 new people in a manager tree: ten team leads per director, ten people per lead),
2. the import itself (10,000 created),
3. the same file again, as CSV (10,000 unchanged),
4. a CSV that changes every job title and deactivates one person in ten (10,000 updated, 1,000 deactivations),
5. the import of step 2 into a second organization with tracemalloc on (its Python heap peak; slower, not timed),

with the statements each step ran and the CPU time this process spent (on a busy machine the wall time is the CPU
time plus the waiting; on PostgreSQL the server's own work is outside it); then how long reading the sheet alone takes
(openpyxl, which the service uses, and python-calamine when it is installed, for comparison), and the peak RSS.

Usage:
    python scripts/bench_import.py                       # temp SQLite file, 10,000 rows
    python scripts/bench_import.py --rows 2000
    python scripts/bench_import.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/kpr_bench --reset
"""

import argparse
import asyncio
import csv
import io
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import xlsxwriter  # type: ignore[import-untyped]
from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.cli import migrate
from app.core.config import Settings
from app.core.db import create_engine
from app.core.security import mint_token
from app.imports import parsing
from app.imports.service import EMPLOYEE_COLUMNS
from app.main import create_app
from app.models import Department, Employee, Organization

SECRET = "bench-secret-" + "x" * 32
DEPARTMENTS = 50
HEADER = ["工号", "姓名", "邮箱", "部门编码", "上级工号", "职位", "在职"]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱"
    "妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉"
    "眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊"
    "亚宜可姬舒影荔枝思丽"
)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def people(rows: int, title: str = "工程师", gone_every: int = 0) -> list[list[str]]:
    """``rows`` people: directors report to nobody, leads (one in ten) to a director, the rest to their lead."""
    sheet = [HEADER]
    director = lead = ""
    for index in range(rows):
        key = f"B{index:06d}"
        if index % 100 == 0:
            director, lead, manager = key, key, ""
        elif index % 10 == 0:
            lead, manager = key, director
        else:
            manager = lead
        name = SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 7) % len(GIVEN)] + GIVEN[(index * 13) % len(GIVEN)]
        active = "离职" if gone_every and index % gone_every == gone_every - 1 else "在职"
        sheet.append([key, name, f"b{index:06d}@example.com", f"D{index % DEPARTMENTS:02d}", manager, title, active])
    return sheet


def as_xlsx(rows: list[list[str]]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for index, row in enumerate(rows):
        sheet.write_row(index, 0, row)
    workbook.close()
    return buffer.getvalue()


def as_csv(rows: list[list[str]]) -> bytes:
    text = io.StringIO(newline="")
    csv.writer(text).writerows(rows)
    return text.getvalue().encode("utf-8-sig")


async def organization(engine: AsyncEngine, settings: Settings) -> str:
    """A new organization with its departments and an admin; the admin's token."""
    now = datetime.now(UTC)
    org_id = uuid.uuid4()
    async with engine.begin() as connection:
        await connection.execute(
            insert(Organization.__table__),
            [
                {
                    "id": org_id,
                    "name": "导入基准公司",
                    "locale": "zh-CN",
                    "timezone": "Asia/Shanghai",
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
        await connection.execute(
            insert(Department.__table__),
            [
                {
                    "id": uuid.uuid4(),
                    "organization_id": org_id,
                    "name": f"部门{d}",
                    "code": f"D{d:02d}",
                    "created_at": now,
                    "updated_at": now,
                }
                for d in range(DEPARTMENTS)
            ],
        )
        await connection.execute(
            insert(Employee.__table__),
            [
                {
                    "id": uuid.uuid4(),
                    "organization_id": org_id,
                    "external_id": "bench-admin",
                    "name": "人事管理员",
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
    return mint_token(settings, subject="bench-admin", organization_id=org_id, roles=["admin"])


class Statements:
    """The statements run, and how long each took from the client's side (its round trip included)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        self.timings: list[tuple[float, str]] = []
        self._started = 0.0
        event.listen(engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(engine.sync_engine, "after_cursor_execute", self._after)

    def _counted(self, statement: str) -> bool:
        # As the tests count them (tests/conftest.py): transaction control is not the import's work.
        return not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK"))

    def _before(self, _connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self._counted(statement):
            self.count += 1
        self._started = time.perf_counter()

    def _after(self, _connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self._counted(statement):
            self.timings.append((time.perf_counter() - self._started, " ".join(statement.split()[:3])))

    def slowest(self, since: int) -> str:
        ranked = sorted(self.timings[since:], reverse=True)[:3]
        return ", ".join(f"{what} {seconds * 1000:.0f} ms" for seconds, what in ranked)


def best_of(label: str, runs: int, read: Callable[[], object]) -> None:
    times, cpu = [], []
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        read()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    print(f"  {label:<44} {min(times) * 1000:6.0f} ms ({min(cpu) * 1000:5.0f} ms CPU, best of {runs})")


def read_with_calamine(content: bytes) -> list[list[Any]]:
    import python_calamine  # type: ignore[import-not-found]

    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    rows: list[list[Any]] = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    return rows


async def run(url: str, rows: int) -> None:
    settings = Settings(database_url=url, jwt_secret=SECRET, rate_limit_enabled=False, embedded_worker=False)
    app = create_app(settings)
    engine: AsyncEngine = app.state.engine
    statements = Statements(engine)
    created = people(rows)
    xlsx, same_csv = as_xlsx(created), as_csv(created)
    changed = as_csv(people(rows, title="高级工程师", gone_every=10))
    print(
        f"{rows:,} rows on {engine.dialect.name}: XLSX {len(xlsx) / 2**20:.2f} MiB, CSV {len(same_csv) / 2**20:.2f} MiB"
    )
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client:
            token = await organization(engine, settings)

            async def post(content: bytes, dry_run: bool, as_form: bool, who: str = token) -> dict[str, Any]:
                headers = {"Authorization": f"Bearer {who}"}
                params = {"dry_run": str(dry_run).lower()}
                if as_form:
                    files = {"file": ("员工.xlsx", content, "application/octet-stream")}
                    response = await client.post(
                        "/api/v1/imports/employees", params=params, files=files, headers=headers
                    )
                else:
                    headers["Content-Type"] = "text/csv"
                    response = await client.post(
                        "/api/v1/imports/employees", params=params, content=content, headers=headers
                    )
                if response.status_code != 200:
                    raise SystemExit(f"{response.status_code}: {response.text[:2000]}")
                report: dict[str, Any] = response.json()
                return report

            async def step(label: str, call: Callable[[], Awaitable[dict[str, Any]]]) -> None:
                before, timed = statements.count, len(statements.timings)
                started, cpu = time.perf_counter(), time.process_time()
                report = await call()
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
                done = f"{report['created']:>6} new {report['updated']:>6} changed {report['unchanged']:>6} same"
                print(
                    f"  {label:<42} {elapsed * 1000:6.0f} ms ({cpu * 1000:5.0f} ms CPU) "
                    f"{statements.count - before:>2} statements {done}"
                )
                print(f"  {'':<42} slowest: {statements.slowest(timed)}")

            await step("1. dry run, XLSX as a form field", lambda: post(xlsx, True, True))
            await step("2. import, XLSX as a form field", lambda: post(xlsx, False, True))
            await step("3. same rows again, CSV body", lambda: post(same_csv, False, False))
            await step("4. every title changed, 1 in 10 gone, CSV", lambda: post(changed, False, False))

            other = await organization(engine, settings)
            tracemalloc.start()
            await post(xlsx, False, True, other)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"  5. import into a second organization: Python heap peak {peak / 2**20:,.1f} MiB (tracemalloc)")
    finally:
        await engine.dispose()

    print("reading the sheet alone:")
    best_of(
        "openpyxl (read-only), as the service reads it",
        3,
        lambda: parsing.read_sheet(xlsx, EMPLOYEE_COLUMNS, "external_id"),
    )
    best_of(
        "CSV (csv module), as the service reads it",
        3,
        lambda: parsing.read_sheet(same_csv, EMPLOYEE_COLUMNS, "external_id"),
    )
    try:
        best_of("python-calamine, the rows alone", 3, lambda: read_with_calamine(xlsx))
    except ImportError:
        print("  python-calamine is not installed: pip install python-calamine to compare")
    print(f"peak RSS {peak_rss_mib():,.0f} MiB")


def reset_postgres(url: str) -> None:
    async def drop() -> None:
        engine = create_engine(Settings(database_url=url))
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(drop())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary directory")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument(
        "--reset", action="store_true", help="PostgreSQL only: drop and recreate the public schema first"
    )
    args = parser.parse_args()
    url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='kpr-bench-')}/bench.db"
    if args.reset and url.startswith("postgresql"):
        reset_postgres(url)
    migrate(url)
    asyncio.run(run(url, args.rows))


if __name__ == "__main__":
    main()
