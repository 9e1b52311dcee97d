import pytest

from credentials.domain.review import inter_rater
from credentials.domain.review.inter_rater import NO_VARIATION, TOO_FEW, cohens_kappa
from tests.builders import definition
from tests.scoring import assignments_of, levels, submit_review


def table(yes_yes: int, yes_no: int, no_yes: int, no_no: int) -> list[tuple[str, str]]:
    """A 2x2 agreement table as (rater A, rater B) pairs."""
    return [("yes", "yes")] * yes_yes + [("yes", "no")] * yes_no + [("no", "yes")] * no_yes + [("no", "no")] * no_no


@pytest.mark.parametrize(
    ("cells", "observed", "expected", "kappa"),
    [
        # Wikipedia, "Cohen's kappa", worked example: po = 0.7, pe = 0.5.
        ((20, 5, 10, 15), 0.7, 0.5, 0.4),
        # The same article's "same agreement, different kappa" tables: po = 0.6 in both.
        ((45, 15, 25, 15), 0.6, 0.54, 0.130),
        ((25, 35, 5, 35), 0.6, 0.46, 0.259),
    ],
)
def test_textbook_two_by_two_tables(cells, observed, expected, kappa):
    result = cohens_kappa(table(*cells))
    assert result.paired == sum(cells) and result.agreements == cells[0] + cells[3]
    assert round(result.observed, 3) == observed
    assert round(result.expected, 3) == expected
    assert round(result.kappa, 3) == kappa


def test_perfect_and_chance_level_agreement():
    assert cohens_kappa(table(10, 0, 0, 10)).kappa == 1.0
    assert cohens_kappa(table(5, 5, 5, 5)).kappa == 0.0
    assert cohens_kappa(table(0, 10, 10, 0)).kappa == -1.0


def test_undefined_kappa_is_none_with_a_note():
    assert cohens_kappa([]).kappa is None and cohens_kappa([]).note == TOO_FEW
    one = cohens_kappa([("a", "a")])
    assert (one.kappa, one.paired, one.observed, one.note) == (None, 1, 1.0, TOO_FEW)
    same = cohens_kappa([("proficient", "proficient")] * 4)
    assert (same.kappa, same.expected, same.observed, same.note) == (None, 1.0, 1.0, NO_VARIATION)
    assert same.strength == ""


def test_strength_words():
    words = [inter_rater.Kappa(2, 1, 0.5, 0.5, k).strength for k in (-0.1, 0.0, 0.3, 0.5, 0.7, 0.9)]
    assert words == ["poor", "slight", "fair", "moderate", "substantial", "almost perfect"]


# Six submissions scored by reviewers A and B: (design A, design B), (reflection A, reflection B).
N, P, E = "not-yet", "proficient", "exemplary"
SCORED = [
    ((P, P), (E, E)),
    ((P, P), (P, E)),
    ((N, P), (N, N)),
    ((E, E), (P, P)),
    ((P, N), (P, P)),  # A: earned, B: not yet -> a tie-breaker, whose scores do not count here
    ((E, P), (N, N)),
]


def test_agreement_and_kappa_from_double_scored_submissions(build, services, clock):
    """Hand-computed: design agrees 3/6, reflection 5/6; pooled po = 8/12, pe = (3*3 + 6*6 + 3*3)/144 = 0.375,
    kappa = (2/3 - 3/8) / (5/8) = 7/15."""
    slug = build.published(definition(reviewers_required=2))
    single = build.published(definition(slug="single", title="Single reviewer"))
    first = build.reviewer(slug=slug, capacity=20, name="Ada Reviewer")
    second = build.reviewer(slug=slug, capacity=20, name="Ben Reviewer")
    attempts = [build.submitted(slug) for _ in SCORED]
    build.reviewer(slug=single)
    build.submitted(single)  # scored by one reviewer: not part of agreement
    build.reviewer(slug=slug, name="Cy Tiebreaker")  # qualified only after the primaries were assigned
    for attempt, ((design_a, design_b), (reflection_a, reflection_b)) in zip(attempts, SCORED, strict=True):
        by_reviewer = {a.reviewer_id: a.id for a in assignments_of(services, attempt.id)}
        assert set(by_reviewer) == {first.id, second.id}
        submit_review(services, by_reviewer[second.id], levels(design=design_b, reflection=reflection_b))
        submit_review(services, by_reviewer[first.id], levels(design=design_a, reflection=reflection_a))
    [tiebreak] = assignments_of(services, attempts[4].id, role="tiebreak")
    submit_review(services, tiebreak.id, levels(design=E, reflection=E))

    with services.session_factory() as session:
        report = inter_rater.inter_rater_report(session)

    [mc] = report.microcredentials
    assert (mc.title, mc.attempts) == ("Checking for understanding with exit tickets", 6)
    assert [(c.name, c.attempts, c.agreements, round(c.share, 3)) for c in mc.criteria] == [
        ("Exit ticket design", 6, 3, 0.5),
        ("Reflection on practice", 6, 5, 0.833),
    ]
    assert (mc.kappa.paired, mc.kappa.agreements) == (12, 8)
    assert round(mc.kappa.observed, 3) == 0.667
    assert round(mc.kappa.expected, 3) == 0.375
    assert round(mc.kappa.kappa, 3) == round(7 / 15, 3) == 0.467
    [pair] = report.pairs
    assert (pair.first, pair.second, pair.attempts) == ("Ada Reviewer", "Ben Reviewer", 6)
    assert round(pair.kappa.kappa, 3) == 0.467 and pair.kappa.strength == "moderate"


def test_an_empty_report(session):
    report = inter_rater.inter_rater_report(session)
    assert report.microcredentials == () and report.pairs == () and report.attempts == 0
