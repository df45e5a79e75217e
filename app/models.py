"""Every capability's models, imported in one place so that the metadata (and Alembic) sees all tables."""

from . import storage  # noqa: F401  (stored_file: uploaded files in the database store)
from .accounts import models as accounts_models  # noqa: F401
from .accounts import sessions as accounts_sessions  # noqa: F401  (registers the Flask-Login user loader)
from .admin import models as admin_models  # noqa: F401
from .api import changes as api_changes  # noqa: F401  (application changes → change sequence for the API cursor)
from .api import models as api_models  # noqa: F401
from .api import webhooks as api_webhooks  # noqa: F401  (status_changed → webhook messages, in the same transaction)
from .applications import models as applications_models  # noqa: F401
from .backoffice import models as backoffice_models  # noqa: F401
from .backoffice import tally as backoffice_tally  # noqa: F401  (application_tally, kept by triggers)
from .catalog import models as catalog_models  # noqa: F401
from .feedback import models as feedback_models  # noqa: F401
from .feedback import surveys as feedback_surveys  # noqa: F401  (status_changed → survey invitation)
from .frontdesk import models as frontdesk_models  # noqa: F401
from .notifications import models as notifications_models  # noqa: F401
from .notifications import outbox as notifications_outbox  # noqa: F401  (status_changed → notification + outbox)
from .personal import models as personal_models  # noqa: F401
from .queue import models as queue_models  # noqa: F401
from .results import models as results_models  # noqa: F401
