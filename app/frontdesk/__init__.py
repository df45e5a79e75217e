"""Pendampingan at the MPP's front desk (issue 13, points 5 and 7): a front-desk officer helps a walk-in citizen
apply, and the citizen confirms the declaration themselves."""
