"""One module per Stripe resource family; each exports ``ROUTES``."""
