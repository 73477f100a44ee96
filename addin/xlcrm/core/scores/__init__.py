"""Customer value: RFM scores, named segments, A/B/C/D classes, buying rhythm and churn risk, the summary sheet."""
