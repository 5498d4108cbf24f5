"""HTTP endpoints: thin DRF views that translate requests into service or variant calls."""
