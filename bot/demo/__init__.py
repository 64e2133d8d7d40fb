"""`tagih demo`: customers, the simulation on a simulated clock, and its report."""
