"""Reports: 台账 workbooks, quarterly reports, charts."""
