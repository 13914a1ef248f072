"""Risk over many paths: Monte Carlo runs in chunks, loss statistics, implied ratings."""
