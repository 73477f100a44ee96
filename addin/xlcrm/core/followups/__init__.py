"""Regular contact and care: cadences, due dates, care occasions, the funnel's stuck deals, the due list, the contact log."""
