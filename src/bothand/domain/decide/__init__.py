"""Decide: the one condition grammar of the knowledge base (``grammar``) and its compiled
form (``masks``, also used by the planner), the rule book (``rules``), the engine that gives
every option a fit with reasons and a trace (``engine``), and the same rules read the plain
way (``reference``)."""
