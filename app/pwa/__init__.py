"""The installable shell: web app manifest, service worker and the offline page."""
