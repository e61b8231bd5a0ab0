"""Console pages and htmx fragments of the directory, one module per area:
directory (table, add, details and actions), logs (a user's Logs tab), access (roles, organizations)."""
