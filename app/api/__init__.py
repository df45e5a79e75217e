"""Interoperabilitas (issue 12): the versioned JSON API at /api/v1 for agency systems and anyone reading the catalog."""
