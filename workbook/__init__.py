"""The CRM tab (customUI14.xml), the build of xlcrm.xlam and the CRM workbook, and their install."""
