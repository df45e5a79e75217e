"""Akun: one account for every service — passkeys, sessions, recovery, Data Saya, Dokumen Saya, privacy."""
