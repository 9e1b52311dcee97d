"""Backup and restore of a whole installation: the database, the evidence blobs and the issuer's key files.

``writing`` makes a backup of a running service, ``restoring`` checks one against its manifest and restores it into an
empty installation. Both are operator actions and are recorded in the audit trail (see each module for where).
"""
