"""A teacher's grade bands are the catalog's, so boards and the catalog can be matched on them."""

from credentials.domain.catalog.definitions import GRADE_BANDS as CATALOG_GRADE_BANDS
from credentials.domain.people import teaching


def test_a_teachers_grade_bands_are_the_catalogs_plus_all_grades():
    assert (*(band.lower() for band in CATALOG_GRADE_BANDS), "all") == teaching.GRADE_BANDS
