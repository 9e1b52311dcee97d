"""Mentoring (issue 18): holders of a micro-credential volunteer to help colleagues with it, and are asked for help."""
