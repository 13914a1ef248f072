"""Batch runs: grids of deals, scenarios and parameter sweeps, into one resumable results dataset."""
