"""VBA sources (.bas) of the CRM tab's callbacks; `xlcrm build` puts them into the add-in and the workbook."""
