"""Console pages and htmx fragments, one module per page or tab: directory (the table, add user),
details (the Settings tab's cards), user_actions (its confirmed acts), tokens (personal access
tokens), sessions, logs (a user's Logs tab), members, access/ (roles, resources, organizations,
applications, a user's Roles and Organizations tabs); refusals is the one 4xx rule."""
