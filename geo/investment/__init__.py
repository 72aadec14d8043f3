"""Investment per territory: funding lines, attribution that adds up, labels (issue 11)."""
