"""What a command hands the user: terminal tables, CSV and JSON, workbooks, printed pages,
charts, progress bars.
"""
