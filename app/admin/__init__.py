"""Catalog admin (/admin): MPP admins keep their MPP's tenants, hours, services and standards; national admins
manage regions and MPPs. Every change is written to the CatalogChange history."""
