"""Plan: the timeline's content model and the planner that turns an option into dated
milestones."""
