"""Operator commands (``microcred``), one module per area; each runs its work through ``in_transaction``.

``db upgrade|downgrade|current``, ``issuer setup``, ``users create|purge-failed-logins``, ``demo load``,
``audit verify``, ``mail deliver``, ``catalog import|export``, ``reviews sweep|route``,
``keys generate|rotate|revoke|list``, ``credentials list|export|process|issue-csv|revoke|suspend|unsuspend|
remind-expiring``, ``verify FILE``, ``backup --out DIR`` and ``restore DIR``.
"""

from __future__ import annotations

from flask.cli import FlaskGroup

from .. import create_app
from .audit import audit_cli
from .backup import backup_command, restore_command
from .catalog import catalog_cli
from .credentials import credentials_cli
from .db import db_cli
from .demo import demo_cli
from .issuer import issuer_cli
from .keys import keys_cli
from .mail import mail_cli
from .reviews import reviews_cli
from .users import users_cli
from .verify import verify_command

COMMANDS = (
    db_cli,
    issuer_cli,
    users_cli,
    demo_cli,
    audit_cli,
    mail_cli,
    catalog_cli,
    reviews_cli,
    keys_cli,
    credentials_cli,
    verify_command,
    backup_command,
    restore_command,
)


# The app factory knows nothing of the CLI: the group builds the app (or, under a test runner, is handed one).
microcred = FlaskGroup(create_app=create_app, help="Operate microcred.")
for command in COMMANDS:
    microcred.add_command(command)


def main() -> None:
    """The ``microcred`` console script."""
    microcred.main()
