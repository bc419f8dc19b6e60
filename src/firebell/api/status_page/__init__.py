"""The public status page, served by Firebell itself: HTML (Jinja2 templates and one stylesheet in this package),
Statuspage-shaped JSON, Atom and RSS, from a cached snapshot of what was published; read-only and apart from the
API (no cookies, no script, its own security headers), and optionally on a port of its own."""
