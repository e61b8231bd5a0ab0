"""Access control: API resources and their permissions, roles, organizations and their roles,
applications, and what users hold of them. One module per concept: the verbs, the lists
(search), the input (forms) and the console URL map (urls)."""
