"""Data Saya, Dokumen Saya, privacy and Riwayat akses (UU 27/2022 PDP)."""
