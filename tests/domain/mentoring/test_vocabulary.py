"""The mentoring vocabulary of the domain is exactly what the help requests' CHECK constraint accepts."""

from __future__ import annotations

from credentials.domain.mentoring import vocabulary
from credentials.storage.models import HelpRequest
from tests.storage.test_vocabulary import accepted


def test_the_table_accepts_exactly_the_request_statuses():
    assert accepted(HelpRequest.__table__, "status") == vocabulary.STATUSES


def test_every_status_has_words():
    assert tuple(vocabulary.STATUS_LABELS) == vocabulary.STATUSES
