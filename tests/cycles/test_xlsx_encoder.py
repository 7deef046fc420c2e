"""The XLSX writer of the exports: a workbook every spreadsheet opens, text kept as text, numbers as numbers."""

import io
import zipfile
from decimal import Decimal

import openpyxl

from app.cycles.export import XlsxEncoder


def _written(header: list[str], batches: list[list[list[str | Decimal | None]]], title: str = "评估") -> bytes:
    encoder = XlsxEncoder(header, title)
    for rows in batches:
        encoder.write(rows)
    return b"".join(encoder.chunks())


def test_rows_of_every_batch_read_back_in_order_with_their_types() -> None:
    def row(n: int) -> list[str | Decimal | None]:
        return [f"E{n:03d}", f"员工{n}", Decimal("87.50"), Decimal(90), None, Decimal("0.25")]

    batches = [[row(n) for n in range(start, start + 3)] for start in (0, 3)]

    data = _written(["工号", "姓名", "结果", "自评", "经理", "比例"], batches)

    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["工号", "姓名", "结果", "自评", "经理", "比例"]
    assert rows[1:] == [[f"E{n:03d}", f"员工{n}", 87.5, 90, None, 0.25] for n in range(6)]
    assert isinstance(rows[1][3], int)  # an integral figure stays an integer


def test_text_stays_text_whatever_it_looks_like() -> None:
    texts = ["=1+1", "+SUM(A1:A2)", "@cmd", "-5", "12", "TRUE", "http://example.com", "<b>&amp;</b> \"'"]

    data = _written(["text"], [[[text] for text in texts]])

    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == texts
    assert {cell.data_type for cell in cells} == {"s"}


def test_spaces_are_kept_and_characters_xml_cannot_hold_are_escaped_as_excel_does() -> None:
    data = _written(["text"], [[["  前后有空格 "], ["a\x01b\x1fc"], ["tab\tand\nnewline"], ["_x0041_"]]])

    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    values = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    # Excel reads _xHHHH_ back as the character; a literal "_x0041_" has its underscore escaped so it stays itself.
    assert values == ["  前后有空格 ", "a_x0001_b_x001F_c", "tab\tand\nnewline", "_x005F_x0041_"]


def test_the_sheet_is_named_as_excel_allows() -> None:
    data = _written(["a"], [], title='Q3 [2026]: A&B "复盘"/\t' + "长" * 40)

    workbook = openpyxl.load_workbook(io.BytesIO(data))
    title = workbook.worksheets[0].title
    assert title == ('Q3 _2026__ A&B "复盘"__' + "长" * 40)[:31]
    assert len(title) == 31


def test_the_package_holds_the_parts_spreadsheets_look_for() -> None:
    data = _written(["a"], [[["x"]]])

    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert names == {
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
    }


def test_columns_past_z_are_addressed_as_spreadsheets_count_them() -> None:
    header = [f"c{n}" for n in range(30)]

    data = _written(header, [[[Decimal(n) for n in range(30)]]])

    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet["Z2"].value == 25
    assert sheet["AA2"].value == 26
    assert sheet["AD2"].value == 29
