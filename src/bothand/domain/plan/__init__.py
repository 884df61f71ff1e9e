"""Plan: the timeline's content model (``timeline``), the planner that turns an option into
dated milestones (``planner``), the plan it returns (``plan``), and the same rules read the
plain way (``reference``)."""
