"""Pages as LogicBoxes serves them: the end is its count or an empty page, never a short page."""

from __future__ import annotations

from dataclasses import dataclass

from bot.logicboxes.paging import read_pages


@dataclass
class Page:
    rows: list[int]
    total: int | None


def server(rows: int, cap: int, counted: bool = True, offset_by_asked: bool = False):
    """A list of `rows` rows served at most `cap` a page; placed by the size served (or asked)."""
    asked: list[tuple[int, int]] = []

    def fetch(page_no: int, size: int) -> Page:
        asked.append((page_no, size))
        served = min(size, cap)
        start = (page_no - 1) * (size if offset_by_asked else served)
        return Page(list(range(rows))[start : start + served], rows if counted else None)

    return fetch, asked


def read(fetch, per_page: int, **kwargs) -> list[int]:
    read, _ = read_pages(fetch, per_page, lambda p: p.rows, lambda p: p.total, **kwargs)
    return [r for page in read for r in page.rows]


def test_a_server_that_serves_fewer_rows_than_asked_is_read_to_the_end():
    for offset_by_asked in (False, True):  # however LogicBoxes places page N, the pages line up
        fetch, asked = server(250, cap=100, offset_by_asked=offset_by_asked)
        assert read(fetch, 500) == list(range(250))
        assert asked == [(1, 500), (2, 100), (3, 100)]


def test_without_a_count_the_end_is_an_empty_page():
    fetch, asked = server(120, cap=50, counted=False)
    assert read(fetch, 500) == list(range(120))
    assert asked[-1] == (4, 50)  # 50, 50, 20, then the empty page


def test_wanted_rows_and_the_page_bound_stop_early():
    fetch, _ = server(1000, cap=100)
    assert len(read(fetch, 100, wanted=150)) == 200
    fetch, asked = server(1000, cap=100)
    assert len(read(fetch, 100, max_pages=3)) == 300 and len(asked) == 3
