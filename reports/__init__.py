"""The HTML report: Jinja2 templates and CSS (this folder, packaged as xlcrm.reports) and the code that fills them."""
