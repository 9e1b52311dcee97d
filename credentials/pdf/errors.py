"""The one error the certificate package raises for bad input."""


class CertificateError(ValueError):
    """A certificate cannot be made from this input, or a PDF is not one of ours; the message says why."""
