"""simplify."""
