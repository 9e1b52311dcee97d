"""Growth plans: goal-driven, measurable plans each teacher makes with a coach, declared in public (issue 17)."""
