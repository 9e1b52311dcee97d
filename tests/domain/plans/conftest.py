from __future__ import annotations

import pytest

from tests.plans_builders import PlanBuilders


@pytest.fixture
def grow(build) -> PlanBuilders:
    return PlanBuilders(build)
