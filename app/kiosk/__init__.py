"""Kiosk mode for the MPP's self-service tablets (issue 13, point 6): catalog, queue check-in and status check,
with nothing personal left on the device."""
