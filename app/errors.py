"""The one shape of a refusal a person reads: an exception whose ``message`` is ready to show them.

Use-case functions raise a subclass (``UploadRejected``, ``TransitionRefused``…); the route catches it and puts
``message`` next to the field or in the notice. ``message`` stays what was given — often a lazy string, worded in
the language of whoever reads it — while ``str(error)`` is the same text for the log.
"""

from __future__ import annotations


class UserFacingError(Exception):
    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message
