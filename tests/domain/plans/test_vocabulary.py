"""The plans vocabulary of the domain is exactly what the tables' CHECK constraints accept."""

from __future__ import annotations

import pytest

from credentials.domain.plans import vocabulary
from credentials.storage.models import Goal as StoredGoal
from credentials.storage.models import GoalAction, GoalComment, GrowthPlan
from tests.storage.test_vocabulary import accepted


@pytest.mark.parametrize(
    ("values", "table", "column"),
    [
        (vocabulary.PLAN_STATUSES, GrowthPlan.__table__, "status"),
        (vocabulary.VISIBILITIES, StoredGoal.__table__, "visibility"),
        (vocabulary.ACTION_KINDS, GoalAction.__table__, "kind"),
        (vocabulary.COMMENT_KINDS, GoalComment.__table__, "kind"),
    ],
    ids=["plan statuses", "visibilities", "action kinds", "comment kinds"],
)
def test_the_tables_accept_exactly_the_domain_vocabulary(values, table, column):
    assert accepted(table, column) == values


@pytest.mark.parametrize(
    ("labels", "values"),
    [
        (vocabulary.PLAN_STATUS_LABELS, vocabulary.PLAN_STATUSES),
        (vocabulary.VISIBILITY_LABELS, vocabulary.VISIBILITIES),
        (vocabulary.ACTION_KIND_LABELS, vocabulary.ACTION_KINDS),
        (vocabulary.COMMENT_KIND_LABELS, vocabulary.COMMENT_KINDS),
        (vocabulary.ACTION_STATE_LABELS, vocabulary.ACTION_STATES),
    ],
)
def test_every_value_has_words(labels, values):
    assert tuple(labels) == values


def test_the_default_visibility_is_the_school_and_the_columns_say_so():
    assert vocabulary.DEFAULT_VISIBILITY == "school"
    assert StoredGoal.__table__.c.visibility.default.arg == vocabulary.DEFAULT_VISIBILITY
    assert StoredGoal.__table__.c.share_progress.default.arg is False
    assert GrowthPlan.__table__.c.status.default.arg == vocabulary.DRAFT
