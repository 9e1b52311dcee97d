"""Open Badges 3.0: documents built from domain facts (credentials, status lists, DID documents), the official
schema check, and baking credentials into badge images. The JSON-LD contexts they use are in ``credentials.jsonld``."""
