"""What one verification may spend on other issuers' servers: one deadline for all its fetches together, a cap on how
many documents it fetches, and (in the service) one of the few slots for verifications that wait on the network.

A credential chooses the URLs its verification fetches, so a hostile issuer can answer each of them slowly. Each fetch
has its own time limit (``RemoteFetcher.timeout``), but a credential chains several: a key document, its controller, a
status list, the list's key. The budget bounds the chain: every fetch must end by the verification's deadline, and
once the deadline has passed or the cap is reached nothing more is fetched. The slots bound how many threads of a
process slow issuers can hold at once; a verification that finds them all taken is turned away (``VerifierBusy``,
an HTTP 503 with ``Retry-After``), never queued, so pages and ``/healthz`` keep answering during an attack.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Protocol

DEFAULT_FETCH_SECONDS = 8.0
# The checks fetch at most 5 documents for any credential: its key's document and that key's controller document,
# then its status list (the OB 3.0 schema allows one credentialStatus, and no status is read unless the schema
# passes) and the list key's document and controller. 8 never binds a sound credential, and still bounds what a
# credential can make us fetch if a check is added (a second status entry, as VCDM 2.0 allows). Documents the
# fetcher has cached are not counted; each fetch follows at most 3 redirects.
MAX_FETCHES = 8
# How many verifications per process may wait on other servers at once. gunicorn.conf.py gives each worker 8
# threads, so slow issuers hold at most 2 of them and the other 6 serve pages and /healthz.
FOREIGN_VERIFICATION_SLOTS = 2


class BudgetSpent(Exception):
    """A fetch was not made: the verification's deadline passed or its cap was reached (the message says which)."""


class VerifierBusy(Exception):
    """Every slot for verifications that fetch other servers' documents is taken; ``retry_after`` is in seconds."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        self.message = (
            "Too many credentials from other issuers are being checked at this moment, and checking this one means "
            f"asking its issuer's servers; try again in {retry_after} seconds."
        )
        super().__init__(self.message)


class ForeignFetchSlots:
    """At most ``size`` verifications of a process may wait on other servers at once; the rest are refused at once."""

    def __init__(self, size: int):
        if size < 1:
            raise ValueError("there must be at least one slot")
        self.size = size
        self._semaphore = threading.BoundedSemaphore(size)

    def take(self) -> bool:
        """Take a slot if one is free, without waiting; whether one was taken."""
        return self._semaphore.acquire(blocking=False)

    def give_back(self) -> None:
        """Return a slot taken with ``take``."""
        self._semaphore.release()


class FetchBudget:
    """One verification's allowance; a context manager that gives back its slot (if it took one) when it ends.

    The deadline runs from the moment the budget is made, that is from the start of the verification.
    """

    def __init__(
        self,
        seconds: float = DEFAULT_FETCH_SECONDS,
        max_fetches: int = MAX_FETCHES,
        slots: ForeignFetchSlots | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        if seconds <= 0 or max_fetches < 1:
            raise ValueError("a fetch budget needs a positive number of seconds and at least one fetch")
        self.seconds = seconds
        self.max_fetches = max_fetches
        self.deadline = clock() + seconds
        self.fetched = 0
        self._slots = slots
        self._holding_slot = False
        self._clock = clock

    @property
    def too_slow(self) -> str:
        """How a fetch cut off by this budget's deadline is described."""
        return (
            f"did not answer in time: a verification waits at most {self.seconds:g} s for other servers, all its "
            "documents together"
        )

    def spend(self) -> float:
        """Count one fetch from the network and return the moment it must end by; ``BudgetSpent`` when none is
        left, ``VerifierBusy`` when this is the verification's first fetch and no slot is free."""
        if self.fetched >= self.max_fetches:
            raise BudgetSpent(f"a verification fetches at most {self.max_fetches} documents from other servers")
        if self._clock() >= self.deadline:
            raise BudgetSpent(f"the {self.seconds:g} s a verification may wait for other servers had run out")
        if self._slots is not None and not self._holding_slot:
            if not self._slots.take():
                raise VerifierBusy(math.ceil(self.seconds))
            self._holding_slot = True
        self.fetched += 1
        return self.deadline

    def close(self) -> None:
        """Give back the slot, if this budget took one."""
        if self._holding_slot:
            self._holding_slot = False
            self._slots.give_back()  # type: ignore[union-attr]

    def __enter__(self) -> FetchBudget:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class BudgetAwareFetcher(Protocol):
    """A fetcher that can charge its fetches to a budget: ``RemoteFetcher``."""

    def fetch_json(self, url: str, *, what: str = ..., budget: FetchBudget | None = ...) -> dict: ...


class BudgetedFetcher:
    """The fetcher one verification uses: every fetch goes through ``fetcher`` and is charged to ``budget``."""

    def __init__(self, fetcher: BudgetAwareFetcher, budget: FetchBudget):
        self.fetcher = fetcher
        self.budget = budget

    def fetch_json(self, url: str, *, what: str = "document") -> dict:
        """The JSON object at ``url``, fetched within the verification's budget."""
        return self.fetcher.fetch_json(url, what=what, budget=self.budget)
