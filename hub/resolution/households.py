"""Build households, kinship and support duties; classify each household 城市 or 农村.

A household is one 户号 of the 户籍 file (its id derives from the 户号's blind index, so it
is stable and reveals nothing). Whether it is urban or rural follows FORMATS.md 3: a
household is 城市 when its township is a 街道, 建塘镇 or 浮梁镇; the township is read from
the (decrypted, in memory only) 户籍 address.
"""

from __future__ import annotations

import re

from graph_schema import labels
from graph_schema.queries import households as q
from hub.store import Store
from privacy import FieldEncryptor

CHILD_RELATIONS = ["子", "女", "长子", "次子", "三子", "长女", "次女", "三女"]
SIBLING_RELATIONS = ["兄", "弟", "姐", "妹"]
URBAN_TOWNS = frozenset({"建塘镇", "浮梁镇"})
_TOWNSHIP = re.compile(r"(?:县|区|市)([^县区市省州]+?(?:街道|镇|乡))")


def township_of(address: str) -> str | None:
    """The township (街道/镇/乡) named in an address, or None."""
    match = _TOWNSHIP.search(address)
    return match.group(1) if match else None


def urban_rural(township: str | None) -> str | None:
    """城市 for 街道 and the two urban towns, 农村 for other towns, None if unknown."""
    if township is None:
        return None
    return "城市" if township.endswith("街道") or township in URBAN_TOWNS else "农村"


def build_households(store: Store, encryptor: FieldEncryptor, *, rebuild: bool,
                     persons: list[str] | None = None) -> int:
    """(Re)build households, member status, kinship and support; returns the household
    count.

    Args:
        rebuild: clear households, kinship and support first (a full run).
        persons: only these people changed (an incremental run): only their households
            are (re)built, so the cost follows the batch, not the graph.
    """
    if rebuild:
        store.run_autocommit(q.CLEAR_HOUSEHOLD_GRAPH)
    if persons is None:
        store.run_autocommit(q.BUILD_HOUSEHOLDS)
        store.run_autocommit(q.SET_PERSON_STATUS)
        store.run_autocommit(q.BUILD_KINSHIP, children=CHILD_RELATIONS,
                             siblings=SIBLING_RELATIONS)
    elif persons:
        store.write(q.BUILD_HOUSEHOLDS_OF_PERSONS, persons=persons)
        store.write(q.SET_STATUS_OF_PERSONS, persons=persons)
        store.write(q.BUILD_KINSHIP_OF_PERSONS, persons=persons, children=CHILD_RELATIONS,
                    siblings=SIBLING_RELATIONS)
    rows = []
    for record in store.stream(q.HOUSEHOLD_ADDRESSES):
        township = None
        if record["enc_address"]:
            address = encryptor.decrypt(record["enc_address"], label=labels.HUKOU_ENTRY,
                                        record_key=record["fact_key"], field="address")
            township = township_of(address)
        rows.append({"household_id": record["household_id"], "township": township,
                     "urban_rural": urban_rural(township)})
    store.write_batches(q.SET_HOUSEHOLD_AREA, rows)
    return int(store.read(q.COUNT_HOUSEHOLDS)[0]["n"])
