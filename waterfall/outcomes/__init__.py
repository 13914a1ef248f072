"""Outcomes: the engine's tape turned into polars tables and tranche metrics."""
