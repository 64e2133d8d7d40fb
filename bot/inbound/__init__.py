"""Everything that comes in: webhook routes, the durable inbox, the router, conversations,
effects and provider status callbacks."""
