"""The HTML report's stylesheet and script, inlined into every report (see ``report_html``)."""
