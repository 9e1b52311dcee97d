"""Open Badges 3.0: JSON-LD contexts bundled with the package (and, later, documents built from domain objects)."""
