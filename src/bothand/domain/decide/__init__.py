"""Decide: the closed condition grammar of the rule book, and the engine that gives every
option a fit with reasons and a trace."""
