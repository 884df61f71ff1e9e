"""Assess: the questionnaires (instruments), scoring them exactly as published, and the safety
result that puts crisis help first."""
