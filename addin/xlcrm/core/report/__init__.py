"""The CRM report as plain data: the overview and one section per question a team lead asks."""
