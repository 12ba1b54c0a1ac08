"""Excel data-entry workbooks: the template writer and the lenient reader of filled-in workbooks."""
