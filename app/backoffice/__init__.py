"""Petugas (back office): staff and their scope, invitations, the inbox, working an application, the audit log."""
