"""Demo and benchmark data: the demo district (`shequ demo`) and the scale
generator (`shequ generate`). A plain package, not a Django app."""
