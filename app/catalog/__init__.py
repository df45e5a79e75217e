"""Informasi layanan: MPPs, their tenant agencies and hours, and every service with its Standar Pelayanan."""
