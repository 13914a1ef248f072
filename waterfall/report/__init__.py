"""Presenting results to people: console tables now; HTML and spreadsheets later."""
