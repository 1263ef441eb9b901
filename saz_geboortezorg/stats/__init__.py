"""Small statistical building blocks shared by the analysis layers (intervals)."""
