"""What a teacher teaches: the grade band and subject that goals boards filter on, so colleagues with like goals can
find each other. Stored on ``users.grade_band`` and ``users.subject``; tests/storage/test_vocabulary.py keeps these
values and the CHECK constraints in step."""

# The catalog's grade bands (domain/catalog/definitions.py GRADE_BANDS) as keys, and "all" for specialists.
GRADE_BANDS = ("pre-k", "k-2", "3-5", "6-8", "9-12", "all")
GRADE_BAND_LABELS = {
    "pre-k": "Pre-K",
    "k-2": "Kindergarten to grade 2",
    "3-5": "Grades 3 to 5",
    "6-8": "Grades 6 to 8",
    "9-12": "Grades 9 to 12",
    "all": "All grades",
}

SUBJECTS = (
    "ela",
    "math",
    "science",
    "social_studies",
    "arts",
    "world_languages",
    "pe_health",
    "special_education",
    "english_learners",
    "cte",
    "library",
    "several",
)
SUBJECT_LABELS = {
    "ela": "English language arts",
    "math": "Mathematics",
    "science": "Science",
    "social_studies": "Social studies",
    "arts": "The arts",
    "world_languages": "World languages",
    "pe_health": "Physical education and health",
    "special_education": "Special education",
    "english_learners": "English learners",
    "cte": "Career and technical education",
    "library": "Library and media",
    "several": "Several subjects",
}
