"""JSON-LD: the contexts we sign and verify against, bundled with the package, and their loader (a leaf: crypto and
openbadges both use it, it uses neither)."""
