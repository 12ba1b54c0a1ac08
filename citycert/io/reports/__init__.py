"""Printable reports: certificates, city reports and ISO 37106 maturity reports, in PDF and HTML.

Services build the documents (`documents.py`, plain data); `output.write_report` renders one to
a `.pdf` or `.html` file. PDFs embed the Nanum fonts (see `fonts.py`) so Korean text renders on
any machine; charts are vector graphics.
"""
