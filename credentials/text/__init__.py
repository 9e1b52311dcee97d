"""Words as people read them: dates in the district's time zone and Markdown made safe. A leaf every layer may use."""
