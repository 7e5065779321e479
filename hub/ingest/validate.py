"""Row validation exactly as FORMATS.md section 5 specifies.

A row is rejected when its field count differs from the header (``truncated_line``), a
mandatory column is empty (``empty_mandatory_field``), a non-empty date or year-month is
not a real calendar date in a documented style (``unparseable_date``), or a non-empty
numeric column is negative (``negative_amount``) or not a number (``non_numeric_amount``).
Nothing else rejects a row: ID, name and phone noise is normal and handled by
normalisation. Details name the column and the problem in Chinese and English; they echo
dates and amounts (not personal) but never names or ID numbers.
"""

from __future__ import annotations

from typing import NamedTuple

from hub.ingest.mapping import FileMapping
from hub.ingest.normalise.amounts import AmountError, parse_amount
from hub.ingest.normalise.dates import DateError, parse_date, parse_year_month

TRUNCATED_LINE = "truncated_line"
EMPTY_MANDATORY_FIELD = "empty_mandatory_field"
UNPARSEABLE_DATE = "unparseable_date"
NEGATIVE_AMOUNT = "negative_amount"
NON_NUMERIC_AMOUNT = "non_numeric_amount"
DUPLICATE_RECORD_ID = "duplicate_record_id"
UNDECODABLE_LINE = "undecodable_line"

REASONS = (
    TRUNCATED_LINE, EMPTY_MANDATORY_FIELD, UNPARSEABLE_DATE, NEGATIVE_AMOUNT,
    NON_NUMERIC_AMOUNT, DUPLICATE_RECORD_ID, UNDECODABLE_LINE,
)
"""Every reason code a :class:`~hub.ingest.model.QuarantinedRow` can carry."""


class Problem(NamedTuple):
    """One defect of a row: reason code, column (if any) and a clerk-readable detail."""

    reason: str
    column: str | None
    detail: str


class RowValidator:
    """Checks rows of one export against its mapping's section-5 table.

    The column positions are resolved once, so checking a row is a few list lookups.
    """

    def __init__(self, mapping: FileMapping) -> None:
        """Resolve the mapping's checked columns to positions.

        Args:
            mapping: the export's mapping.
        """
        index = {column: i for i, column in enumerate(mapping.header)}
        self._header = mapping.header
        self._width = len(mapping.header)
        self._mandatory = [(index[c], c) for c in mapping.mandatory]
        self._dates = [(index[c], c) for c in mapping.dates]
        self._year_months = [(index[c], c, s) for c, s in mapping.year_months.items()]
        self._numeric = [(index[c], c) for c in mapping.numeric]

    def problems(self, fields: list[str]) -> list[Problem]:
        """Return every defect of a row (empty for a good row).

        Args:
            fields: the row's fields, stripped of surrounding spaces.

        Returns:
            The defects in the order of section 5 (field count first); a truncated line is
            reported alone, since its missing columns cannot be judged.
        """
        if len(fields) != self._width:
            return [self._count_problem(fields)]
        found: list[Problem] = []
        for i, column in self._mandatory:
            if not fields[i]:
                found.append(Problem(
                    EMPTY_MANDATORY_FIELD, column,
                    f"必填列 {column} 为空 / mandatory column {column} is empty"))
        for i, column in self._dates:
            value = fields[i]
            if value:
                try:
                    parse_date(value)
                except DateError:
                    found.append(_date_problem(column, value, "日期", "calendar date"))
        for i, column, style in self._year_months:
            value = fields[i]
            if value:
                try:
                    parse_year_month(value, style)
                except DateError:
                    found.append(_date_problem(
                        column, value, f"年月（{style}）", f"{style} year-month"))
        for i, column in self._numeric:
            value = fields[i]
            if value and not _plain_number(value):
                try:
                    parse_amount(value)
                except AmountError as exc:
                    found.append(_amount_problem(column, value, exc))
        return found

    def _count_problem(self, fields: list[str]) -> Problem:
        got, want = len(fields), self._width
        if got < want:
            column = self._header[got - 1]
            return Problem(
                TRUNCATED_LINE, column,
                f"行不完整：在第 {got} 列（{column}）处中断，只有 {got}/{want} 个字段 / "
                f"line ends inside column {got} ({column}); {got} of {want} fields")
        return Problem(
            TRUNCATED_LINE, None,
            f"字段数 {got} 多于表头的 {want} 个 / {got} fields, the header has {want}")


def _plain_number(value: str) -> bool:
    """Fast path: ASCII ``123`` or ``123.45`` is a valid non-negative amount."""
    return value.isascii() and value.replace(".", "", 1).isdigit()


def _date_problem(column: str, value: str, what_zh: str, what_en: str) -> Problem:
    return Problem(
        UNPARSEABLE_DATE, column,
        f"{column} 不是有效的{what_zh}：{value} / {column}={value} is not a real {what_en} "
        f"in a documented style")


def _amount_problem(column: str, value: str, exc: AmountError) -> Problem:
    if exc.kind == "negative":
        return Problem(NEGATIVE_AMOUNT, column,
                       f"{column} 不能为负数：{value} / {column}={value} is negative")
    return Problem(NON_NUMERIC_AMOUNT, column,
                   f"{column} 不是数字 / {column} is not a number")
