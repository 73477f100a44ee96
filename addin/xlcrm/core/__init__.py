"""The pure core: pandas in, pandas out. Imports no workbook, mail or network library."""
