"""Take the signed credential back out of a certificate PDF, with limits so a hostile upload costs little.

Only what leads to the attachment is read: the trailer, the catalog, the EmbeddedFiles name tree (walked with a node
budget and a visited set, so a looping tree ends) and one stream, decompressed under a ceiling.
"""

from __future__ import annotations

import io
import warnings

from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError, PdfReadWarning, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject, StreamObject

from .certificate import MAX_CREDENTIAL_JSON
from .errors import CertificateError
from .render import ATTACHMENT_NAME

MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENT_BYTES = MAX_CREDENTIAL_JSON
MAX_NAME_TREE_NODES = 256
MAX_NAME_TREE_ENTRIES = 1024
# Ceilings for pypdf while it parses: far above what a certificate needs, far below what would hurt a worker.
PARSING_LIMITS = {
    "maximum_declared_stream_length": MAX_PDF_BYTES,
    "zlib_maximum_output_length": MAX_ATTACHMENT_BYTES + 1,
    "lzw_maximum_output_length": MAX_ATTACHMENT_BYTES + 1,
    "run_length_maximum_output_length": MAX_ATTACHMENT_BYTES + 1,
    "brotli_maximum_output_length": MAX_ATTACHMENT_BYTES + 1,
    "array_based_stream_maximum_output_length": MAX_ATTACHMENT_BYTES + 1,
    "zlib_maximum_recovery_input_length": 0,
    "array_maximum_element_count": 10_000,
    "dictionary_maximum_element_count": 1_000,
    "stream_filters_maximum_length": 4,
    "stream_decoding_work_maximum_length": 4 * MAX_ATTACHMENT_BYTES,
    "jbig2dec_binary": None,  # never start a subprocess for an uploaded file
}


def extract_credential(pdf_bytes: bytes) -> bytes:
    """The bytes of the ``credential.json`` attached to a certificate PDF; CertificateError if there is none."""
    if not isinstance(pdf_bytes, bytes | bytearray):
        raise CertificateError("expected the bytes of a PDF file")
    if len(pdf_bytes) > MAX_PDF_BYTES:
        raise CertificateError(f"larger than {MAX_PDF_BYTES // 1024 // 1024} MB: too large for a certificate")
    if b"%PDF-" not in bytes(pdf_bytes[:1024]):
        raise CertificateError("the file is not a PDF")
    try:
        with apply_configuration(**PARSING_LIMITS), warnings.catch_warnings():
            # pypdf warns about damage it repairs; those PDFs are still read (or refused below), never a crash.
            warnings.simplefilter("ignore", PdfReadWarning)
            reader = PdfReader(
                io.BytesIO(pdf_bytes),
                strict=False,
                root_object_recovery_limit=1_000,
                xref_stream_maximum_entries=100_000,
            )
            if reader.is_encrypted:
                raise CertificateError("the PDF is encrypted; a certificate from this service never is")
            stream = _attachment_stream(reader)
            declared = stream.get("/Length", 0)
            if isinstance(declared, int) and declared > MAX_ATTACHMENT_BYTES:
                raise CertificateError(f"{ATTACHMENT_NAME} is larger than a credential may be")
            data = stream.get_data()
    except CertificateError:
        raise
    except LimitReachedError:
        raise CertificateError("the PDF decompresses to more than a certificate holds; it was not read") from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as error:
        raise CertificateError(f"the PDF could not be read ({type(error).__name__})") from None
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise CertificateError(f"{ATTACHMENT_NAME} is larger than a credential may be")
    return data


def _attachment_stream(reader: PdfReader) -> StreamObject:
    root = _resolve(reader.trailer.get("/Root"))
    names = _resolve(root.get("/Names")) if isinstance(root, DictionaryObject) else None
    tree = _resolve(names.get("/EmbeddedFiles")) if isinstance(names, DictionaryObject) else None
    if not isinstance(tree, DictionaryObject):
        raise CertificateError(f"the PDF has no attached files, so no {ATTACHMENT_NAME}")
    spec = _find_in_name_tree(tree, ATTACHMENT_NAME)
    if spec is None:
        raise CertificateError(f"the PDF has no attachment named {ATTACHMENT_NAME}")
    files = _resolve(spec.get("/EF"))
    stream = _resolve(files.get("/F") or files.get("/UF")) if isinstance(files, DictionaryObject) else None
    if not isinstance(stream, StreamObject):
        raise CertificateError(f"the {ATTACHMENT_NAME} attachment holds no file")
    return stream


def _find_in_name_tree(tree: DictionaryObject, wanted: str) -> DictionaryObject | None:
    pending: list[PdfObject] = [tree]
    seen: set[int] = set()
    visited = entries = 0
    while pending:
        node_ref = pending.pop()
        if isinstance(node_ref, IndirectObject):
            if node_ref.idnum in seen:
                continue  # a Kids entry pointing back up the tree
            seen.add(node_ref.idnum)
        node = _resolve(node_ref)
        visited += 1
        if visited > MAX_NAME_TREE_NODES:
            raise CertificateError("the PDF's list of attachments is too large to be a certificate")
        if not isinstance(node, DictionaryObject):
            continue
        pairs = _resolve(node.get("/Names"))
        if isinstance(pairs, ArrayObject):
            entries += len(pairs) // 2
            if entries > MAX_NAME_TREE_ENTRIES:
                raise CertificateError("the PDF has too many attachments to be a certificate")
            for index in range(0, len(pairs) - 1, 2):
                spec = _resolve(pairs[index + 1])
                if str(_resolve(pairs[index])) == wanted and isinstance(spec, DictionaryObject):
                    return spec
        kids = _resolve(node.get("/Kids"))
        if isinstance(kids, ArrayObject):
            pending.extend(kids)
    return None


def _resolve(value: PdfObject | None) -> PdfObject | None:
    return value.get_object() if isinstance(value, IndirectObject) else value
