"""Physical reading: encodings (declared, BOM, GBK detection), quoting, CRLF, XLSX."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from hub.ingest import (
    CanonicalRow,
    ExportLayoutError,
    FileMapping,
    QuarantinedRow,
    load_mappings,
    read_export,
)
from hub.ingest.sources import split_line

MAPPINGS = load_mappings()
MEDICAL = MAPPINGS["yibao_medical"]
AID = MAPPINGS["minzheng_aid"]
BANK = MAPPINGS["yinhang_deposits"]

MEDICAL_ROWS = [
    ["260000000001", "阿不都热依木.买买提", "410502 19850307 1234 ", "男", "1985/3/7", "城乡居民",
     "低保对象", "住院", "安阳市人民医院", "2024/10/9", "2024/11/2", "急性白血病", "100.00",
     "50.00", "10.00", "20.00", "20.00"],
    ["260000000002", "陳敏", "11010519491231002x", "女", "1949/12/31", "城镇职工", "退休人员",
     "普通门诊", "瑶里镇卫生院", "", "2024/11/1", "股骨颈骨折", "436.23", "174.49", "0.00",
     "130.87", "130.87"],
]


def _csv(rows: list[list[str]], header: tuple[str, ...], eol: str = "\r\n") -> str:
    return eol.join(",".join(r) for r in [list(header), *rows]) + eol


def _accepted(
    path: Path, mapping: FileMapping = MEDICAL, encoding: str | None = None
) -> list[CanonicalRow]:
    rows = list(read_export(path, mapping, encoding=encoding))
    assert all(isinstance(r, CanonicalRow) for r in rows), rows
    return rows  # type: ignore[return-value]


def test_gbk_file(tmp_path: Path) -> None:
    path = tmp_path / "yibao_medical.csv"
    path.write_bytes(_csv(MEDICAL_ROWS, MEDICAL.header).encode("gbk"))
    first, second = _accepted(path)
    mention = first.mentions[0]
    assert (mention.role, mention.name, mention.id_number, mention.id_valid) == (
        "参保人", "阿不都热依木·买买提", "410502198503071234", True)
    assert mention.birth_date == date(1985, 3, 7)
    assert mention.sex == "男"
    assert first.facts["total_cost"] == Decimal("100.00")
    assert first.facts["major_illness"] is True
    assert first.personal == {"hospital": "安阳市人民医院", "diagnosis": "急性白血病"}
    assert "急性白血病" not in str(first.facts)
    assert second.mentions[0].name == "陈敏"
    assert second.mentions[0].id_number == "11010519491231002X"
    assert second.facts["admission_date"] is None
    assert second.facts["major_illness"] is False


def test_gbk_file_declared_utf8_is_detected_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "yibao_medical.csv"
    path.write_bytes(_csv(MEDICAL_ROWS, MEDICAL.header).encode("gbk"))
    assert len(_accepted(path, encoding="utf-8")) == 2


def test_utf8_file_declared_gbk_is_detected_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "yibao_medical.csv"
    path.write_text(_csv(MEDICAL_ROWS, MEDICAL.header), encoding="utf-8")
    rows = _accepted(path)
    assert rows[1].mentions[0].name == "陈敏"


def test_bom_wins_over_the_declaration(tmp_path: Path) -> None:
    path = tmp_path / "yibao_medical.csv"
    path.write_text(_csv(MEDICAL_ROWS, MEDICAL.header, eol="\n"), encoding="utf-8-sig")
    rows = _accepted(path)
    assert rows[0].record_id == "260000000001"
    assert rows[0].line_no == 2


def test_bom_file_without_bom(tmp_path: Path) -> None:
    row = ["MZJZ00000001", "360222DB000001", "360222000001", "邹亮", "360222198401290596",
           "城市低保", "2", "1129.00", "202011", "", "360222", "王 波", ""]
    path = tmp_path / "minzheng_aid.csv"
    path.write_text(_csv([row], AID.header), encoding="utf-8")
    (only,) = _accepted(path, AID)
    assert only.facts["start_month"] == date(2020, 11, 1)
    assert only.facts["end_month"] is None
    assert only.facts["monthly_amount"] == Decimal("1129.00")
    assert only.facts["covered_count"] == 2
    handler = only.mentions[1]
    assert (handler.role, handler.name, handler.id_kind, handler.region_code) == (
        "经办人", "王波", "missing", "360222")


def test_an_undecodable_line_is_quarantined_and_the_rest_read(tmp_path: Path) -> None:
    path = tmp_path / "yibao_medical.csv"
    good = _csv(MEDICAL_ROWS, MEDICAL.header).encode("gbk")
    lines = good.split(b"\r\n")
    lines.insert(2, b"260000000009,\xff\xfe\xff,x")
    path.write_bytes(b"\r\n".join(lines))
    rows = list(read_export(path, MEDICAL))
    assert [type(r).__name__ for r in rows] == ["CanonicalRow", "QuarantinedRow", "CanonicalRow"]
    bad = rows[1]
    assert isinstance(bad, QuarantinedRow)
    assert (bad.line_no, bad.reason) == (3, "undecodable_line")


def test_wrong_header_is_a_layout_error(tmp_path: Path) -> None:
    path = tmp_path / "yibao_medical.csv"
    header = list(MEDICAL.header)
    header[1], header[2] = header[2], header[1]
    path.write_text(_csv([], tuple(header)), encoding="utf-8")
    with pytest.raises(ExportLayoutError, match="different order"):
        list(read_export(path, MEDICAL))
    path.write_text(_csv([], MEDICAL.header[:-1]), encoding="utf-8")
    with pytest.raises(ExportLayoutError, match="个人自付"):
        list(read_export(path, MEDICAL))


def test_all_quoted_crlf_bank_file(tmp_path: Path) -> None:
    def quoted(values: list[str] | tuple[str, ...]) -> str:
        return ",".join(f'"{v}"' for v in values)

    rows = [
        ["YH000000001", "王华", "居民身份证", "３６０２２２１９８１１１０４５２９３",
         "中国农业银行浮梁县建设路支行", "活期储蓄", "164592.02", "2026-10-23"],
        ["YH000000002", "王华", "居民身份证", "360222198111045293"],
    ]
    path = tmp_path / "yinhang_deposits.csv"
    path.write_text("\r\n".join(quoted(r) for r in [BANK.header, *rows]) + "\r\n",
                    encoding="utf-8")
    good, cut = list(read_export(path, BANK))
    assert isinstance(good, CanonicalRow) and isinstance(cut, QuarantinedRow)
    assert good.mentions[0].id_number == "360222198111045293"
    assert good.facts["balance"] == Decimal("164592.02")
    assert good.personal == {"institution": "中国农业银行浮梁县建设路支行"}
    assert (cut.reason, cut.column, cut.record_id) == ("truncated_line", "证件号码", "YH000000002")


def test_split_line_honours_quotes() -> None:
    assert split_line('a,"b,c","d""e"') == ["a", "b,c", 'd"e']
    assert split_line('"a","b') == ["a", "b"]
    assert split_line("a,,b") == ["a", "", "b"]


def _workbook(path: Path, header: tuple[str, ...], rows: list[list[object]]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    book.save(path)


def test_xlsx_export(tmp_path: Path) -> None:
    path = tmp_path / "yibao_medical.xlsx"
    typed = [list(r) for r in MEDICAL_ROWS]
    typed[0][0] = 260000000001  # a numeric id cell
    typed[0][10] = datetime(2024, 11, 2)  # a real Excel date
    typed[0][12] = 100.0
    typed[0][13] = 50.5
    _workbook(path, MEDICAL.header, typed)
    first, second = _accepted(path)
    assert first.record_id == "260000000001"
    assert first.facts["settlement_date"] == date(2024, 11, 2)
    assert first.facts["total_cost"] == Decimal(100)
    assert first.facts["insurance_paid"] == Decimal("50.5")
    assert first.mentions[0].id_number == "410502198503071234"
    assert second.mentions[0].name == "陈敏"
    assert (first.line_no, second.line_no) == (2, 3)


def test_xlsx_and_csv_give_the_same_row_hash(tmp_path: Path) -> None:
    csv_path = tmp_path / "yibao_medical.csv"
    csv_path.write_bytes(_csv(MEDICAL_ROWS, MEDICAL.header).encode("gbk"))
    xlsx_path = tmp_path / "yibao_medical.xlsx"
    _workbook(xlsx_path, MEDICAL.header, [list(r) for r in MEDICAL_ROWS])
    assert [r.row_hash for r in _accepted(csv_path)] == [r.row_hash for r in _accepted(xlsx_path)]


def test_xlsx_bad_rows_are_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "yibao_medical.xlsx"
    bad = list(MEDICAL_ROWS[1])
    bad[0], bad[10] = "260000000003", "2023-13-07"
    _workbook(path, MEDICAL.header, [MEDICAL_ROWS[0], [], bad])
    rows = list(read_export(path, MEDICAL))
    assert isinstance(rows[0], CanonicalRow)
    assert isinstance(rows[1], QuarantinedRow)
    assert (rows[1].line_no, rows[1].reason, rows[1].column) == (4, "unparseable_date", "结算日期")
