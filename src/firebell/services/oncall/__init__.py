"""On-call: schedules' answers, anchors, overrides, handoffs, maintenance and calendar feeds."""
