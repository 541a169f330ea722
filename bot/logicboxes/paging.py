"""Reading every page of a LogicBoxes list as LogicBoxes serves it.

No public source says how many rows the Enterprise Email order search or the action lists serve a
page (`../shared/logicboxes-api.md`, Q6): `no-of-records` is documented as 10..500 for the customer
search only. So a page that holds fewer rows than asked is not the end: the end is LogicBoxes'
count (`recsindb`) or an empty page. And where page 1 holds fewer rows than asked while more are
counted, the next pages are asked at the size LogicBoxes served, so that page N starts where page
N-1 ended whichever size LogicBoxes uses to place it.
"""

from __future__ import annotations

from collections.abc import Callable, Sized
from typing import TypeVar

P = TypeVar("P")

MIN_PAGE = 10  # LogicBoxes refuses no-of-records below 10


def read_pages(
    fetch: Callable[[int, int], P],
    per_page: int,
    rows: Callable[[P], Sized],
    total: Callable[[P], int | None],
    wanted: int | None = None,
    max_pages: int = 1000,
) -> tuple[list[P], bool]:
    """Pages from `fetch(page_no, size)` until LogicBoxes' count, an empty page, `wanted` rows or
    `max_pages` (a bound, whatever a page holds); and whether the end was reached (False: stopped
    at `max_pages` with more to read)."""
    size, seen, read = per_page, 0, []
    for page_no in range(1, max_pages + 1):
        page = fetch(page_no, size)
        read.append(page)
        served = len(rows(page))
        seen += served
        counted = total(page)
        if not served or (counted is not None and seen >= counted) or (wanted is not None and seen >= wanted):
            return read, True
        if page_no == 1 and served < size:
            size = max(served, MIN_PAGE)  # LogicBoxes serves fewer than asked: ask for what it serves
    return read, False
