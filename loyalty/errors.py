"""The base of every refusal the domain raises: a message, a machine code and the field at fault.

The partner API turns any DomainError into its `http_status` (400 unless a subclass says otherwise)
in the contract's error shape (`{"errors": [{"message", "field", "code"}]}`), so services raise
these rather than HTTP errors.
"""


class DomainError(Exception):
    code = "invalid"
    field: str | None = None
    http_status = 400  # the partner API's answer; scope errors use 403 and 404

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field
        if code is not None:
            self.code = code


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Forbidden(DomainError):
    code = "permission_denied"
    http_status = 403
