"""Notifikasi: what a citizen must be told, recorded with the change that causes it, delivered later by a worker."""
