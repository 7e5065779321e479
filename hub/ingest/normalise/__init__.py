"""Pure normalisers for the values department exports spell in many ways.

Each module has one job (IDs, names, dates, amounts, phones). They are pure functions with
small caches, because the same birth date, name or ID recurs across rows and files, and
ingest must stay well above 50,000 rows per second on one core.
"""

from hub.ingest.normalise.amounts import AmountError, parse_amount, parse_count
from hub.ingest.normalise.dates import (
    YearMonthStyle,
    parse_date,
    parse_year_month,
)
from hub.ingest.normalise.ids import (
    DisabilityCert,
    IdNumber,
    birth_date_from_id,
    normalise_disability_cert,
    normalise_id,
    sex_from_id,
)
from hub.ingest.normalise.names import name_or_none
from hub.ingest.normalise.phones import normalise_phones

__all__ = [
    "AmountError",
    "DisabilityCert",
    "IdNumber",
    "YearMonthStyle",
    "birth_date_from_id",
    "name_or_none",
    "normalise_disability_cert",
    "normalise_id",
    "normalise_phones",
    "parse_amount",
    "parse_count",
    "parse_date",
    "parse_year_month",
    "sex_from_id",
]
