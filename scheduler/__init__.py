"""The follow-up calendar, the dispatcher and their APScheduler wiring."""
