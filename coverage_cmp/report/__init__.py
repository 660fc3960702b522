"""Report: the last stage; renders the records of earlier stages for people and programs.

Modules (import the one you need; ``html`` loads jinja2 and ``plots`` matplotlib):

- ``console``: ``render_compare_terminal``, ``render_corpus_terminal``, ``use_color``
- ``markdown``: ``render_compare_markdown``, ``render_corpus_markdown``
- ``html``: ``render_compare_html``, ``render_corpus_html`` (one offline file each)
- ``tables``: ``write_compare_csv``, ``write_corpus_csv``, ``corpus_to_json``, ``load_schema``
- ``corpus``: ``corpus_summary`` and its records (the events come from ``compare.events``)
- ``plots``: ``write_plots`` (PNG and SVG figures of the corpus view)
- ``progress``: ``track``, progress bars on stderr for long steps
- ``terminal``: tables of articles, extractions and clusters
"""
