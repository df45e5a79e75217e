"""Offline drafts on the device: the server side of static/js/drafts.js and static/js/offline-queue.js.

The drafts themselves live in the applications capability (``/permohonan/draf/<id>`` JSON endpoints). This package
only adds what a browser needs to keep working when the network does not: an opaque account key (so a shared
phone never shows one citizen's device drafts to another), a fresh CSRF token for syncing hours later, and an
offline form page the service worker can serve in place of an apply page.
"""
