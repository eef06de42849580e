"""The timeline page's static files (docs/page.md): index.html here, its ES modules and
styles in assets/. Served by services/api/routes/page.py."""
