"""One page of a longer list, as every admin list shows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """The rows of page ``page`` (from 1), and how many rows there are in all."""

    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def fetch_page(session: Session, query: Select, *, page: int, per_page: int) -> Page:
    """Page ``page`` of the ordered ``query`` (a page number below 1 means the first), with the total count."""
    page = max(1, page)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = session.scalars(query.offset((page - 1) * per_page).limit(per_page)).all()
    return Page(list(items), page, per_page, total)
