"""Loading one issued credential by the uuid in its public address: the one place that says "no such credential"."""

from __future__ import annotations

from sqlalchemy import Row, select
from sqlalchemy.orm import Session, undefer

from ...storage.models.issuance import IssuedCredential
from ..errors import NotFound

NO_SUCH_CREDENTIAL = "There is no credential at this address. Check the link you were given."


def find_credential(session: Session, credential_uuid: str, *, with_document: bool = False) -> IssuedCredential:
    """The issued credential with this uuid (its signed document loaded too when asked), or NotFound."""
    query = select(IssuedCredential).where(IssuedCredential.uuid == credential_uuid)
    if with_document:
        query = query.options(undefer(IssuedCredential.document))
    credential = session.scalar(query)
    if credential is None:
        raise NotFound(NO_SUCH_CREDENTIAL)
    return credential


def credential_columns(session: Session, credential_uuid: str, *columns, join=None) -> Row:
    """A few columns of the credential with this uuid (and of ``join``, an ORM entity with its ``on`` clause) as one
    plain row, without building ORM objects, for pages that read little and are read often; NotFound otherwise."""
    query = select(*columns).select_from(IssuedCredential)
    if join is not None:
        query = query.join(*join)
    row = session.connection().execute(query.where(IssuedCredential.uuid == credential_uuid)).first()
    if row is None:
        raise NotFound(NO_SUCH_CREDENTIAL)
    return row
