"""Admin fixtures: the back office's staff factory on the demo catalog."""

from ..backoffice.conftest import demo, make_staff  # noqa: F401
