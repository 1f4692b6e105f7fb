"""Downloadable reports (Excel, PDF, CSV) of a wave's stored results."""
