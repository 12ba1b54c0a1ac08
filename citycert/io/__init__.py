"""File formats: catalogue exports, input files, workbooks, open-data packages, reports."""
