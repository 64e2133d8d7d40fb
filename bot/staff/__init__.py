"""The team's side: staff and roles, audit, alerts to collectors and salespeople, digests."""
