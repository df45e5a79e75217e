"""Antrean (issue 10): book a counter visit at an MPP, fair and never overbooked; the ticket, the counter, the board.

models.py    settings per tenant × service, closures, bookings, claims (the seats and the one-per-person rule)
slots.py     pure slot generation from opening hours, working days, closures and the booking window
booking.py   hold → confirm, reschedule, cancel: every rule that decides whether a place is taken
counter.py   check-in, walk-in numbers, call next, recall, served, no-show, transfer (audited)
board.py     what the MPP hall's screen and a checked-in ticket show ("now serving", "ahead of you")
reminders.py the day-before and hour-before reminders through the notifications outbox
stats.py     booked, checked in, served, no-show rate and median waits per MPP, agency, service and day
events.py    signals other capabilities connect to (``visit_served``: the feedback survey invitation)
"""
