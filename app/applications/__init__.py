"""Permohonan: apply online (forms as data, drafts, exactly-once submit) and track applications."""
