"""Front-desk views: the workspace and search (``workspace``), the account page
(``account``) and its edits (``edits``, ``contact_details``). Thin: each calls one
selector or service."""
