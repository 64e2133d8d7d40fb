"""Customer, collector and admin conversations: pure state machines returning effects."""
