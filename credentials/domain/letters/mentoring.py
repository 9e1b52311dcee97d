"""What the e-mails of mentoring (issue 18) say, kept beside emails.py (which is at the house's length limit).

No address is written until the mentor accepts; then each is given the other's."""

from __future__ import annotations

from . import Action, Letter, Letterhead, Quote


def help_asked(head: Letterhead, *, mentor: str, asker: str, title: str, message: str, path: str) -> Letter:
    """To a mentor: a colleague asks for help with a micro-credential (their name and words, not their address)."""
    return Letter(
        subject=f"{asker} asks for your help with {title}",
        to=mentor,
        paragraphs=(
            f"You offered to mentor colleagues on “{title}”. {asker} asks for your help:",
            Quote(message),
            "If you accept, you and they will each be sent the other's e-mail address. If you decline, nothing is "
            "shared and they are told kindly.",
        ),
        action=Action("Accept or decline", head.link(path)),
        signature=head.district,
    )


def help_accepted(head: Letterhead, *, to: str, other: str, email: str, title: str, asker: bool, path: str) -> Letter:
    """To the asker and to the mentor once the mentor accepts: the other's name and e-mail address."""
    said = f"{other} accepted your request for help with “{title}”." if asker else (
        f"Thank you for accepting {other}'s request for help with “{title}”.")  # fmt: skip
    return Letter(
        subject=f"Mentoring on {title}: {other}'s e-mail address",
        to=to,
        paragraphs=(said, f"You can write to {other} at {email} to find a time that suits you both."),
        action=Action("See your mentoring", head.link(path)),
        details=(("Name", other), ("E-mail", email)),
        signature=head.district,
    )


def help_declined(head: Letterhead, *, to: str, mentor: str, title: str) -> Letter:
    """To the asker: the mentor cannot help this time; nothing was shared."""
    return Letter(
        subject=f"About your request for help with {title}",
        to=to,
        paragraphs=(
            f"{mentor} cannot help with “{title}” this time. Your e-mail address was not shared.",
            "Other mentors are listed on the micro-credential's page; your coach can also suggest someone.",
        ),
        signature=head.district,
    )
