"""Opening-hour patterns used by the demo MPPs and tenants: (weekday, opens, closes), 0 = Senin … 6 = Minggu.

Government offices keep a five-day week; MPPs commonly serve Senin–Kamis 08.00–15.30 and Jumat a little longer
or with a break for Friday prayers, and some open Sabtu morning. Exact hours per MPP were not verified, so these
are the typical published patterns, not any one MPP's decree.
"""

MON_THU = [(day, "08:00", "15:30") for day in range(0, 4)]

# Senin–Kamis 08.00–15.30, Jumat 08.00–16.00.
WEEKDAYS = [*MON_THU, (4, "08:00", "16:00")]

# Senin–Kamis 08.00–15.30, Jumat 08.00–11.30 and 13.30–16.00 (a break for Friday prayers).
WEEKDAYS_FRIDAY_BREAK = [*MON_THU, (4, "08:00", "11:30"), (4, "13:30", "16:00")]

# As WEEKDAYS, plus Sabtu 08.00–12.00.
WEEKDAYS_AND_SATURDAY = [*WEEKDAYS, (5, "08:00", "12:00")]

# As WEEKDAYS_FRIDAY_BREAK, plus Sabtu 08.00–12.00.
WEEKDAYS_FRIDAY_BREAK_AND_SATURDAY = [*WEEKDAYS_FRIDAY_BREAK, (5, "08:00", "12:00")]

# Mornings only, Senin–Jumat 08.00–12.00 (Samarinda: SIM and KPP Pratama serve only until 12.00 WITA).
MORNINGS = [(day, "08:00", "12:00") for day in range(0, 5)]

# Three days a week (Samarinda: BPOM serves three days a week; which three is not known — Senin, Rabu, Kamis here).
THREE_DAYS = [(0, "08:00", "15:30"), (2, "08:00", "15:30"), (3, "08:00", "15:30")]
