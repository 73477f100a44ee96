"""Mail merge: the templates sheet, the fields a template can use, the sender profile and who gets which message today."""
