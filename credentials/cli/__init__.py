"""Operator commands (``microcred``), one module per area; each runs its work through ``in_transaction``.

``db upgrade|downgrade|current``, ``issuer setup``, ``users create|purge-failed-logins``, ``demo load``,
``audit verify``, ``mail deliver``, ``catalog import|export``, ``reviews sweep|route``,
``keys generate|rotate|revoke|list``, ``credentials list|export|process|issue-csv|revoke|suspend|unsuspend|
remind-expiring``, ``verify FILE``, ``backup --out DIR`` and ``restore DIR``.
"""

from __future__ import annotations

import click
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
from .plans import plans_cli
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
    plans_cli,
    keys_cli,
    credentials_cli,
    verify_command,
    backup_command,
    restore_command,
)


class OperatorGroup(FlaskGroup):
    """Flask's command group, with ``--help`` listing the operator's commands first (in the order above, each with
    its whole first sentence) and Flask's own commands and options after them, marked as being for developers.
    ``microcred run``, ``shell`` and ``routes`` still work as before."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        ours = {command.name for command in COMMANDS}
        flasks = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden and name not in ours:
                flasks.append((name, command.get_short_help_str(200)))
        with formatter.section("Commands"):
            formatter.write_dl([(c.name, c.get_short_help_str(200)) for c in COMMANDS if c.name])
        if flasks:
            with formatter.section("Flask's own commands (for developers)"):
                formatter.write_dl(flasks)
        options = [record for param in self.get_params(ctx) if (record := param.get_help_record(ctx))]
        with formatter.section("Options (from Flask, for developers)"):
            formatter.write_dl(options)


# The app factory knows nothing of the CLI: the group builds the app (or, under a test runner, is handed one).
microcred = OperatorGroup(create_app=create_app, help="Operate microcred.")
for command in COMMANDS:
    microcred.add_command(command)


def main() -> None:
    """The ``microcred`` console script."""
    microcred.main()
